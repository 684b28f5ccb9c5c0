import { Worker } from 'node:worker_threads';
import type { Logger } from './logger.js';

/** How long a stop waits for the thread to finish what it does before it is terminated. */
const STOP_WAIT_MS = 10_000;
/** The pause before a thread that died is started again, doubled after each death that came before it was ready, up to the max. */
const RESTART_MS = 1_000;
const RESTART_MAX_MS = 30_000;

export interface ThreadHandleOptions<FromThread> {
  /** For logs: "background thread". */
  readonly name: string;
  /** The thread's entry module. It posts 'ready' once it can work, and ends when it receives 'stop' (closes its port). */
  readonly entry: URL;
  readonly workerData: unknown;
  readonly logger: Logger;
  readonly onMessage: (m: FromThread) => void;
  /** The thread exited (before it is started again): release what it held. */
  readonly onExit: () => void;
}

/**
 * One worker thread of the server: started, stopped with 'stop' (terminated past 10 s),
 * and started again after it dies unless stopping (a second later, longer each time it
 * dies before it was ready).
 */
export class ThreadHandle<FromThread> {
  private worker: Worker | undefined;
  private ready = false;
  private stopping = false;
  private restartMs = RESTART_MS;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly o: ThreadHandleOptions<FromThread>) {}

  /** Started, said it is ready, and not stopping: work posted now will be done. */
  get running(): boolean {
    return this.worker !== undefined && this.ready && !this.stopping;
  }

  /** Started and not stopping: a message posted now reaches it, once it listens. */
  get started(): boolean {
    return this.worker !== undefined && !this.stopping;
  }

  start(): void {
    const o = this.o;
    const worker = new Worker(o.entry, { workerData: o.workerData });
    this.worker = worker;
    this.ready = false;
    worker.on('message', (m: FromThread | 'ready') => {
      if (m !== 'ready') return o.onMessage(m);
      this.ready = true;
      this.restartMs = RESTART_MS;
    });
    worker.on('error', (err) => o.logger.error(`${o.name} failed`, { error: err instanceof Error ? err.stack ?? err.message : String(err) }));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        const wasReady = this.ready;
        this.worker = undefined;
        this.ready = false;
        o.onExit();
        if (!this.stopping) {
          const inMs = this.restartMs;
          if (!wasReady) this.restartMs = Math.min(this.restartMs * 2, RESTART_MAX_MS);
          o.logger.error(`${o.name} exited; starting it again`, { code, inMs });
          setTimeout(() => {
            if (!this.stopping) this.start();
          }, inMs).unref();
        }
        resolve();
      });
    });
  }

  /** Posts `m` to the thread; false when it is not running. */
  post(m: unknown): boolean {
    if (!this.worker) return false;
    this.worker.postMessage(m);
    return true;
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
}
