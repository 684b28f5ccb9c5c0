import { Worker } from 'node:worker_threads';
import type { Logger } from './logger.js';

/** How long a stop waits for the thread to finish what it does before it is terminated. */
const STOP_WAIT_MS = 10_000;
/** The pause before a thread that died is started again. */
const RESTART_MS = 1_000;

export interface ThreadHandleOptions<FromThread> {
  /** For logs: "background thread". */
  readonly name: string;
  /** The thread's entry module. It must end when it receives 'stop' (close its port). */
  readonly entry: URL;
  readonly workerData: unknown;
  readonly logger: Logger;
  readonly onMessage: (m: FromThread) => void;
  /** The thread exited (before it is started again): release what it held. */
  readonly onExit: () => void;
}

/**
 * One worker thread of the server: started, stopped with 'stop' (terminated past 10 s),
 * and started again a second after it dies unless stopping.
 */
export class ThreadHandle<FromThread> {
  private worker: Worker | undefined;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly o: ThreadHandleOptions<FromThread>) {}

  get running(): boolean {
    return this.worker !== undefined;
  }

  start(): void {
    const o = this.o;
    const worker = new Worker(o.entry, { workerData: o.workerData });
    this.worker = worker;
    worker.on('message', (m: FromThread) => o.onMessage(m));
    worker.on('error', (err) => o.logger.error(`${o.name} failed`, { error: err instanceof Error ? err.stack ?? err.message : String(err) }));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.worker = undefined;
        o.onExit();
        if (!this.stopping) {
          o.logger.error(`${o.name} exited; starting it again`, { code, inMs: RESTART_MS });
          setTimeout(() => {
            if (!this.stopping) this.start();
          }, RESTART_MS).unref();
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
