import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdylError } from '../api/errors.js';
import { acquireAgentLock } from './agent-lock.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'idyl-agent-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the lock holds this process pid and is removed on release', (t) => {
  const dir = tempDir(t);
  const lock = acquireAgentLock(dir);
  assert.equal(readFileSync(join(dir, 'agent.lock'), 'utf8').trim(), String(process.pid));
  lock.release();
  assert.equal(existsSync(join(dir, 'agent.lock')), false);
  lock.release();
});

test('a lock held by a live process is refused with conflict naming its pid and the state dir', (t) => {
  const dir = tempDir(t);
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => other.kill('SIGKILL'));
  writeFileSync(join(dir, 'agent.lock'), `${other.pid}\n`);
  assert.throws(
    () => acquireAgentLock(dir),
    (err: unknown) => err instanceof IdylError && err.code === 'conflict' && err.message.includes(`pid ${other.pid}`) && err.message.includes(dir),
  );
  assert.equal(readFileSync(join(dir, 'agent.lock'), 'utf8').trim(), String(other.pid), 'the live holder keeps its lock');
});

test('a lock whose process is gone is stale and taken over; so is one naming no pid', (t) => {
  const dir = tempDir(t);
  const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
  writeFileSync(join(dir, 'agent.lock'), `${gone}\n`);
  const lock = acquireAgentLock(dir);
  assert.equal(readFileSync(join(dir, 'agent.lock'), 'utf8').trim(), String(process.pid));
  lock.release();
  writeFileSync(join(dir, 'agent.lock'), '');
  acquireAgentLock(dir).release();
  assert.equal(existsSync(join(dir, 'agent.lock')), false);
});
