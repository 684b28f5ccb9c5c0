import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdylError } from '../api/errors.js';
import { lockDataDir } from './data-dir-lock.js';

test('a data dir is held by one server: a second lock is refused with conflict until the first is released', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idyl-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = lockDataDir(dir);
  assert.throws(
    () => lockDataDir(dir),
    (err: unknown) => err instanceof IdylError && err.code === 'conflict' && err.message.includes(dir),
  );
  first.release();
  lockDataDir(dir).release();
});

test('a server killed with SIGKILL leaves no lock behind', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idyl-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const module = new URL('./data-dir-lock.js', import.meta.url).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(module)}).then((m) => { m.lockDataDir(${JSON.stringify(dir)}); console.log('held'); setInterval(() => {}, 1000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  assert.throws(() => lockDataDir(dir), /another idyl server/);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  lockDataDir(dir).release();
});
