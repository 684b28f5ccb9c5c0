import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOGUE } from '../../src/api/errors.js';
import { NODE_FAILURE_REASONS, PLACEMENT_REASONS } from '../../src/api/placement.js';
import { repoRoot } from '../support/repo-root.js';
import { codeCell, tableRows } from './markdown-tables.js';

const page = readFileSync(join(repoRoot(), 'docs/errors.md'), 'utf8');

/** The codes of a table's first code column, in page order; a row without a code is reported. */
function codes(heading: string, column: number): string[] {
  const rows = tableRows(page, heading);
  assert.ok(rows.length > 0, `docs/errors.md has no table under "## ${heading}"`);
  return rows.map((r) => codeCell(r[column]) ?? `(no code in row: ${r.join(' | ')})`);
}

function drift(documented: readonly string[], defined: readonly string[]): { undocumented: string[]; notInCode: string[]; twice: string[] } {
  return {
    undocumented: defined.filter((c) => !documented.includes(c)),
    notInCode: documented.filter((c) => !defined.includes(c)),
    twice: documented.filter((c, i) => documented.indexOf(c) !== i),
  };
}

const none = { undocumented: [], notInCode: [], twice: [] };

/**
 * docs/errors.md and the code's lists of codes must not drift: every code the code
 * defines is documented, every documented code exists, and each API code's HTTP
 * status is the catalogue's.
 */
describe('docs/errors.md matches the error catalogue, the placement reasons and the node failure reasons', () => {
  it('lists every API error code once, and no other', () => {
    assert.deepEqual(drift(codes('API error codes', 0), Object.keys(ERROR_CATALOGUE)), none);
  });

  it("gives each API error code the catalogue's HTTP status", () => {
    const wrong = tableRows(page, 'API error codes')
      .map((r) => ({ code: codeCell(r[0]), documented: r[1] }))
      .filter((r): r is { code: keyof typeof ERROR_CATALOGUE; documented: string | undefined } => r.code !== undefined && Object.hasOwn(ERROR_CATALOGUE, r.code))
      .filter((r) => r.documented !== String(ERROR_CATALOGUE[r.code].status))
      .map((r) => `${r.code}: documented ${r.documented}, catalogue ${ERROR_CATALOGUE[r.code].status}`);
    assert.deepEqual(wrong, []);
  });

  it('lists every placement reason once, and no other, in check order', () => {
    const documented = codes('Placement reasons', 1);
    assert.deepEqual(drift(documented, PLACEMENT_REASONS), none);
    assert.deepEqual(documented, [...PLACEMENT_REASONS], 'the page lists the reasons in the order the scheduler checks them');
  });

  it('lists every node failure reason once, and no other', () => {
    assert.deepEqual(drift(codes('Node failure reasons', 0), NODE_FAILURE_REASONS), none);
  });
});
