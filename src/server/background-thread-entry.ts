// The background thread (src/server/background-thread.ts starts it): planning rounds,
// pod creations' inserts and WAL checkpoints on its own connection to the SQLite file.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackgroundThreadData, FromBackground, ToBackground } from './background-thread.js';
import { createLogger } from './logger.js';
import { PlanningLoop } from './planner/planning-loop.js';
import type { ServiceDeps } from './services/deps.js';
import { openStore } from './store/open-store.js';
import { UniqueViolation } from './store/store.js';
import { BACKGROUND_HOLDER, WriteLock } from './store/write-lock.js';

const data = workerData as BackgroundThreadData;
const port = parentPort;
if (!port) throw new Error('background-thread-entry runs as a worker thread');
const logger = createLogger(data.logLevel, 'background');
const store = await openStore({ kind: 'sqlite', file: data.file }, { writeLock: new WriteLock(BACKGROUND_HOLDER, data.lock), secondary: true, checkpoints: true });
const tell = (m: FromBackground): void => port.postMessage(m);
store.onCommit((revision) => tell({ type: 'committed', revision }));
const wake = new Int32Array(data.wake);
const deps: ServiceDeps = { store, now: () => new Date(), logger, settings: data.settings, kick: () => loop.kick() };
// Kicks from the start of a round on post again; the round covers every change committed
// before it starts, so kicks before that needed no message of their own.
const loop = new PlanningLoop(deps, logger, async () => true, { commitChunk: data.commitChunk, pauseMs: data.pauseMs, beforeRound: () => Atomics.store(wake, 0, 0) });
const inFlight = new Set<Promise<void>>();

port.on('message', (m: ToBackground) => {
  if (m === 'kick') {
    loop.kick();
  } else if (m === 'stop') {
    // Every insert asked for is answered before the connection closes.
    void (async () => {
      await Promise.allSettled([...inFlight]);
      await loop.stop();
      await store.close();
      port.close();
    })();
  } else {
    const done: Promise<void> = store.insertWorkload(m.row, m.events).then(
      ({ inserted }) => tell({ type: 'inserted', id: m.id, inserted }),
      (err: unknown) => tell({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err), unique: err instanceof UniqueViolation }),
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  }
});
loop.start();
port.postMessage('ready');
