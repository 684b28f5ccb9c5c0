import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { WriteLock } from './write-lock.js';

/**
 * Takes the lock `rounds` times; inside, counts the turn (cell 0) and whether another
 * holder was inside too (cell 2, via the count of those inside, cell 1). Run by both
 * threads: the worker gets its source.
 */
async function takeTurns(lock: WriteLock, cells: Int32Array, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await lock.acquire();
    if (Atomics.add(cells, 1, 1) !== 0) Atomics.add(cells, 2, 1);
    Atomics.add(cells, 0, 1);
    await new Promise((r) => setImmediate(r));
    Atomics.sub(cells, 1, 1);
    lock.release();
  }
}

/** A thread that takes turns as holder 2 `rounds` times; then exits holding the lock when `die`. */
function contender(buffer: SharedArrayBuffer, counter: SharedArrayBuffer, rounds: number, die = false): Worker {
  const url = new URL('./write-lock.js', import.meta.url).href;
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const takeTurns = ${takeTurns.toString()};
    import(${JSON.stringify(url)}).then(async ({ WriteLock }) => {
      const lock = new WriteLock(2, workerData.buffer);
      await takeTurns(lock, new Int32Array(workerData.counter), ${rounds});
      if (${die}) { await lock.acquire(); process.exit(3); }
      parentPort.postMessage('done');
    });`;
  return new Worker(code, { eval: true, workerData: { buffer, counter } });
}

describe('WriteLock: one holder at a time across threads', () => {
  it('two threads taking turns are never inside together, and neither waits forever', async () => {
    const lock = new WriteLock(1);
    const counter = new SharedArrayBuffer(12);
    const cells = new Int32Array(counter);
    const worker = contender(lock.buffer, counter, 300);
    const done = new Promise((resolve) => worker.once('message', resolve));
    await takeTurns(lock, cells, 300);
    await done;
    await worker.terminate();
    // 600 turns in all, and no turn found another inside.
    assert.equal(Atomics.load(cells, 0), 600);
    assert.equal(Atomics.load(cells, 2), 0);
  });

  it('a lock left held by a thread that exited is released for it, and only for it', async () => {
    const lock = new WriteLock(1);
    const worker = contender(lock.buffer, new SharedArrayBuffer(12), 0, true);
    const code = await new Promise((resolve) => worker.once('exit', resolve));
    assert.equal(code, 3);
    assert.equal(lock.releaseFor(1), false);
    let got = false;
    const waiting = lock.acquire().then(() => (got = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(got, false);
    assert.equal(lock.releaseFor(2), true);
    await waiting;
    assert.equal(got, true);
    lock.release();
  });

  it('refuses holder 0, which means free', () => {
    assert.throws(() => new WriteLock(0), /non-zero integer/);
  });
});
