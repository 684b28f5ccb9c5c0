// The planner thread (src/server/planner/planner-thread.ts starts it): its own SQLite
// connection to the control plane's file, planning rounds on its own core.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../logger.js';
import type { ServiceDeps } from '../services/deps.js';
import { openStore } from '../store/open-store.js';
import { WriteLock } from '../store/write-lock.js';
import { PLANNER_HOLDER, type PlannerThreadData, type ToMain } from './planner-thread.js';
import { PlanningLoop } from './planning-loop.js';

const data = workerData as PlannerThreadData;
const port = parentPort;
if (!port) throw new Error('planner-thread-entry runs as a worker thread');
const logger = createLogger(data.logLevel, 'planner');
const store = await openStore({ kind: 'sqlite', file: data.file }, { writeLock: new WriteLock(PLANNER_HOLDER, data.lock), secondary: true });
const tell = (m: ToMain): void => port.postMessage(m);
store.onCommit((revision) => tell({ type: 'committed', revision }));
const wake = new Int32Array(data.wake);
const deps: ServiceDeps = { store, now: () => new Date(), logger, settings: data.settings, kick: () => loop.kick() };
// Kicks from the start of a round on post again; the round covers every change committed
// before it starts, so kicks before that needed no message of their own.
const loop = new PlanningLoop(deps, logger, async () => true, { commitChunk: data.commitChunk, pauseMs: data.pauseMs, beforeRound: () => Atomics.store(wake, 0, 0) });

port.on('message', (m: unknown) => {
  if (m === 'kick') {
    loop.kick();
  } else if (m === 'stop') {
    void (async () => {
      await loop.stop();
      await store.close();
      port.close();
    })();
  }
});
loop.start();
