import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import type { CliIo } from '../io.js';
import { age, cpuMemory, policySummary, until } from './format.js';
import { formatTable } from './table.js';
import { listOutput, resourceOutput, textOutput, type Column } from './view.js';
import { writeOutput } from './writer.js';

function bufferIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (c) => (out += String(c)) },
    stderr: { write: (c) => (err += String(c)) },
    stdin: Readable.from([]),
    stderrIsTTY: false,
    stdinIsTTY: false,
    home: '/nonexistent',
    debug: false,
    signal: new AbortController().signal,
    now: () => new Date(),
    confirm: async () => false,
  };
  return { io, out: () => out, err: () => err };
}

interface Row {
  readonly name: string;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}
const rows: Row[] = [
  { name: 'web', cpuMillis: 500, memoryBytes: 512 * 2 ** 20 },
  { name: 'a-longer-name', cpuMillis: 2000, memoryBytes: 1.5 * 2 ** 30 },
];
const cols: Column<Row>[] = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'RESOURCES', value: (r) => cpuMemory(r) },
  { header: 'NOTE', value: () => '' },
];

test('table: aligned columns, human units, empty cells as -', () => {
  const b = bufferIo();
  writeOutput(b.io, 'table', listOutput(rows, cols, 'No rows.'));
  assert.equal(b.out(), ['NAME            RESOURCES    NOTE', 'web             500m/512Mi   -', 'a-longer-name   2/1.5Gi      -', ''].join('\n'));
  assert.equal(b.err(), '');
});

test('json: a list is exactly one document {"items": [...]}, nothing else on stdout', () => {
  const b = bufferIo();
  writeOutput(b.io, 'json', listOutput(rows, cols, 'No rows.'));
  assert.deepEqual(JSON.parse(b.out()), { items: rows });
  assert.equal(b.err(), '');
});

test('json: a single resource is the resource itself, not wrapped', () => {
  const b = bufferIo();
  writeOutput(b.io, 'json', resourceOutput(rows[0] as Row, cols));
  assert.deepEqual(JSON.parse(b.out()), rows[0]);
});

test('json: a text view still prints its data, never the text', () => {
  const b = bufferIo();
  writeOutput(b.io, 'json', textOutput({ token: 'secret' }, 'secret'));
  assert.deepEqual(JSON.parse(b.out()), { token: 'secret' });
});

test('yaml: the same document as json', () => {
  const b = bufferIo();
  writeOutput(b.io, 'yaml', listOutput(rows, cols, 'No rows.'));
  assert.deepEqual(parseYaml(b.out()), { items: rows });
});

test('an empty table prints nothing on stdout and its sentence on stderr; json prints {"items": []}', () => {
  const t = bufferIo();
  writeOutput(t.io, 'table', listOutput([], cols, 'No rows.'));
  assert.equal(t.out(), '');
  assert.equal(t.err(), 'No rows.\n');
  const j = bufferIo();
  writeOutput(j.io, 'json', listOutput([], cols, 'No rows.'));
  assert.deepEqual(JSON.parse(j.out()), { items: [] });
  assert.equal(j.err(), '');
});

test('formatTable keeps accented names aligned and does not pad the last column', () => {
  assert.equal(formatTable(['A', 'B'], [['é', 'x'], ['abc', 'y ']]), 'A     B\né     x\nabc   y\n');
});

test('ages and expiries read like people write them', () => {
  const now = new Date('2025-01-02T00:00:00Z');
  assert.equal(age('2025-01-01T23:59:15Z', now), '45s');
  assert.equal(age('2025-01-01T23:00:00Z', now), '60m');
  assert.equal(age('2025-01-01T00:00:00Z', now), '24h');
  assert.equal(age('2024-12-20T00:00:00Z', now), '13d');
  assert.equal(age(undefined, now), '-');
  assert.equal(until('2025-01-02T02:00:00Z', now), 'in 2h');
  assert.equal(until('2025-01-01T00:00:00Z', now), 'expired');
});

test('a runtime policy reads in one line', () => {
  assert.equal(policySummary(undefined), 'none');
  assert.equal(
    policySummary({ allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true, allowedVMMBackends: ['firecracker'], microvmGPU: true }),
    'allowed=microvm strict backends=firecracker microvm-gpu',
  );
});
