import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { AbortScope } from './abort-scope.js';

/** A call that listens to its signal (as a client request does) until released or aborted. */
function pending(signal: AbortSignal): { done: Promise<string>; release: () => void } {
  let release = (): void => undefined;
  const done = new Promise<string>((resolve) => {
    const onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    release = () => {
      signal.removeEventListener('abort', onAbort);
      resolve('finished');
    };
  });
  return { done, release };
}

test('a burst of calls in flight puts no listener on the scope signal; abort ends every one of them', async () => {
  const scope = new AbortScope();
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  const calls = Array.from({ length: 40 }, () => scope.run((signal) => pending(signal).done));
  assert.equal(scope.inFlight, 40);
  assert.equal(getEventListeners(scope.signal, 'abort').length, 0);
  scope.abort();
  assert.deepEqual(new Set(await Promise.all(calls)), new Set(['aborted']));
  assert.equal(scope.inFlight, 0);
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarning);
  assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), []);
});

test('a call that finished is forgotten; a call after abort starts aborted', async () => {
  const scope = new AbortScope();
  let release = (): void => undefined;
  const call = scope.run((signal) => {
    const p = pending(signal);
    release = p.release;
    return p.done;
  });
  release();
  assert.equal(await call, 'finished');
  assert.equal(scope.inFlight, 0);
  scope.abort();
  assert.equal(await scope.run(async (signal) => signal.aborted), true);
});
