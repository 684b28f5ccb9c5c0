import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { RUNTIME_PROFILES } from '../../api/isolation.js';
import { CHECK, GPU_CHECK, PROFILE_CHECKS } from './check-names.js';
import { fixtureHostsDir } from './fixture-host-view.js';

const doc = readFileSync(join(dirname(dirname(dirname(fixtureHostsDir()))), 'docs', 'host-checks.md'), 'utf8');

/** Rows of the doc's tables: check name → the profiles column. */
function rows(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of doc.split('\n')) {
    const m = /^\| `([^`]+)` \|.*\| ([^|]+) \|$/.exec(line);
    if (m) out.set(m[1] as string, (m[2] as string).trim());
  }
  return out;
}

test('docs/host-checks.md lists exactly the check names the code reports', () => {
  const documented = [...rows().keys()].sort();
  const gpu = [GPU_CHECK.nvidiaSmi, GPU_CHECK.driver('ADDR'), GPU_CHECK.model('ADDR')];
  assert.deepEqual(documented, [...Object.values(CHECK), ...gpu].sort());
});

test('docs/host-checks.md names, for every check, exactly the profiles that run it', () => {
  const table = rows();
  for (const name of Object.values(CHECK)) {
    const documented = (table.get(name) ?? '').split(',').map((p) => p.trim()).sort();
    const actual = RUNTIME_PROFILES.filter((p) => PROFILE_CHECKS[p].includes(name)).sort();
    assert.deepEqual(documented, actual, name);
  }
});
