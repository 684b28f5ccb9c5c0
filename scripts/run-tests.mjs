#!/usr/bin/env node
// Runs the compiled tests with Node's own test runner.
//   node scripts/run-tests.mjs            every test (unit, conformance, end-to-end)
//   node scripts/run-tests.mjs --unit     tests beside the code in src/ only
//   node scripts/run-tests.mjs PATTERN    test files whose path contains PATTERN
// Tests that need a daemon skip with their reason when it is missing, except under
// CI=true, where a missing daemon fails the test.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const patterns = args.filter((a) => !a.startsWith('--'));

function walk(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (p.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const dirs = unitOnly ? ['dist/src'] : ['dist/src', 'dist/test'];
let files = dirs.flatMap((d) => walk(join(root, d))).sort();
if (patterns.length) files = files.filter((f) => patterns.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error('run-tests: no test files found; run `npm run build` first');
  process.exit(1);
}
console.error(`run-tests: ${files.length} test files`);
const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-reporter=spec', ...files.map((f) => relative(root, f))],
  { cwd: root, stdio: 'inherit', env: { ...process.env, IDYL_REPO_ROOT: root } },
);
process.exit(result.status ?? 1);
