import { Worker } from 'node:worker_threads';
import type { Logger, LogLevel } from '../logger.js';
import type { ServiceSettings } from '../services/deps.js';
import type { WriteLock } from '../store/write-lock.js';
import type { Planning } from './planning-loop.js';

/** The write-lock holder number of the planner thread (the main thread's is 1). */
export const PLANNER_HOLDER = 2;
/** The write-lock holder number of the main thread. */
export const MAIN_HOLDER = 1;

/** Outcomes the planner thread commits per transaction: the API's commits wait while it holds the write lock. */
const THREAD_COMMIT_CHUNK = 16;
/**
 * The least time between the starts of two planning rounds in the thread. Each round
 * commits at least once, and a commit (with its fsync) holds the write lock for about
 * a millisecond whatever it carries: under a stream of creations, placing them every
 * 20 ms costs a fiftieth of the commits of placing them as they come.
 */
const THREAD_PAUSE_MS = 20;
/** How long a stop waits for the round in progress before the thread is terminated. */
const STOP_WAIT_MS = 10_000;
/** The pause before a planner thread that died is started again. */
const RESTART_MS = 1_000;

/** What the planner thread is started with. */
export interface PlannerThreadData {
  readonly file: string;
  readonly settings: ServiceSettings;
  readonly logLevel: LogLevel;
  /** The write lock's shared cell. */
  readonly lock: SharedArrayBuffer;
  /** 1 from a kick until the next round starts: further kicks need no message. */
  readonly wake: SharedArrayBuffer;
  readonly commitChunk: number;
  readonly pauseMs: number;
}

/** Messages from the planner thread. */
export type ToMain = { readonly type: 'committed'; readonly revision: number };

export interface PlannerThreadOptions {
  readonly file: string;
  readonly settings: ServiceSettings;
  readonly logLevel: LogLevel;
  /** The main thread's side of the write lock (holder MAIN_HOLDER). */
  readonly lock: WriteLock;
  readonly logger: Logger;
  /** The planner thread committed events up to `revision` (wake the watchers). */
  readonly onCommitted: (revision: number) => void;
}

/**
 * Planning on a SQLite store, in a worker thread with its own connection to the file,
 * so that placing pods does not take the event loop that answers the API. The planner
 * writes pods and events only; the two connections take turns through the write lock.
 * A thread that dies is started again (after releasing the lock if it held it), and
 * its first round is a full pass, so nothing waits on a lost kick.
 */
export class PlannerThread implements Planning {
  private worker: Worker | undefined;
  private readonly wake = new Int32Array(new SharedArrayBuffer(4));
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: PlannerThreadOptions) {}

  start(): void {
    this.spawn();
  }

  kick(): void {
    if (this.worker && Atomics.exchange(this.wake, 0, 1) === 0) this.worker.postMessage('kick');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    worker.postMessage('stop');
    const timer = setTimeout(() => void worker.terminate(), STOP_WAIT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private spawn(): void {
    const o = this.options;
    Atomics.store(this.wake, 0, 0);
    const data: PlannerThreadData = { file: o.file, settings: o.settings, logLevel: o.logLevel, lock: o.lock.buffer, wake: this.wake.buffer as SharedArrayBuffer, commitChunk: THREAD_COMMIT_CHUNK, pauseMs: THREAD_PAUSE_MS };
    const worker = new Worker(new URL('./planner-thread-entry.js', import.meta.url), { workerData: data });
    this.worker = worker;
    worker.on('message', (m: ToMain) => {
      if (m.type === 'committed') o.onCommitted(m.revision);
    });
    worker.on('error', (err) => o.logger.error('planner thread failed', { error: err instanceof Error ? err.stack ?? err.message : String(err) }));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.worker = undefined;
        if (o.lock.releaseFor(PLANNER_HOLDER)) o.logger.warn('planner thread exited holding the write lock; released');
        if (!this.stopping) {
          o.logger.error('planner thread exited; starting it again', { code, inMs: RESTART_MS });
          setTimeout(() => {
            if (!this.stopping) this.spawn();
          }, RESTART_MS).unref();
        }
        resolve();
      });
    });
  }
}
