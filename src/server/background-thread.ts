import type { Logger, LogLevel } from './logger.js';
import type { Planning } from './planner/planning-loop.js';
import type { ServiceSettings } from './services/deps.js';
import type { EventInsert, WorkloadRow } from './store/rows.js';
import { UniqueViolation } from './store/store.js';
import { BACKGROUND_HOLDER, type WriteLock } from './store/write-lock.js';
import { ThreadHandle } from './thread-handle.js';

/**
 * Outcomes the planner commits per transaction in the background thread: the API's own
 * commits wait while the thread holds the write lock.
 */
const COMMIT_CHUNK = 16;
/**
 * The least time between the starts of two planning rounds in the thread. Every round
 * commits, and a commit (with its fsync) costs about a millisecond whatever it carries:
 * under a stream of creations, rounds place what arrived in the last 20 ms at once.
 */
const PAUSE_MS = 20;

/** What the background thread is started with. */
export interface BackgroundThreadData {
  readonly file: string;
  readonly settings: ServiceSettings;
  readonly logLevel: LogLevel;
  /** The write lock's shared cells. */
  readonly lock: SharedArrayBuffer;
  /** 1 from a kick until the next planning round starts: further kicks need no message. */
  readonly wake: SharedArrayBuffer;
  readonly commitChunk: number;
  readonly pauseMs: number;
}

/** Messages to the background thread. */
export type ToBackground = 'kick' | 'stop' | { readonly type: 'insert'; readonly id: number; readonly row: WorkloadRow; readonly events: readonly EventInsert[] };

/** Messages from the background thread. */
export type FromBackground =
  | { readonly type: 'committed'; readonly revision: number }
  | { readonly type: 'inserted'; readonly id: number; readonly inserted: boolean }
  | { readonly type: 'failed'; readonly id: number; readonly message: string; readonly unique: boolean };

export interface BackgroundThreadOptions {
  readonly file: string;
  readonly settings: ServiceSettings;
  readonly logLevel: LogLevel;
  /** The main thread's side of the write lock. */
  readonly lock: WriteLock;
  readonly logger: Logger;
  /** The thread committed events up to `revision` (wake the watchers). */
  readonly onCommitted: (revision: number) => void;
}

interface Pending {
  readonly resolve: (r: { inserted: boolean }) => void;
  readonly reject: (err: Error) => void;
}

/**
 * On SQLite, a worker thread of the server process with its own connection to the file,
 * doing the work that would otherwise take the event loop that answers the API:
 *
 * - the planner (rounds at least 20 ms apart, at most 16 outcomes per commit);
 * - the write every pod creation makes (`insert`: the row and its events unless the name
 *   is taken), so its transaction, commit and fsync are not the API's, and the creations
 *   and placements of one moment share one commit;
 * - copying the write-ahead log into the file (a passive checkpoint every 100 ms).
 *
 * It writes pods and events only. The main thread's own transactions and the thread's
 * take turns through the write lock. While the thread is not ready (starting, stopping,
 * or in the pause before one that died is started again) `insert` answers `undefined`
 * and the caller writes on its own connection; a creation in flight when the thread dies
 * is refused with an error (whether it landed is then unknown, as for any request cut
 * off: asking again answers `conflict` if it did). A restarted thread's first round is a
 * full pass, so no kick is lost.
 */
export class BackgroundThread implements Planning {
  private readonly wake = new Int32Array(new SharedArrayBuffer(4));
  private readonly thread: ThreadHandle<FromBackground>;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor(o: BackgroundThreadOptions) {
    const data: BackgroundThreadData = { file: o.file, settings: o.settings, logLevel: o.logLevel, lock: o.lock.buffer, wake: this.wake.buffer as SharedArrayBuffer, commitChunk: COMMIT_CHUNK, pauseMs: PAUSE_MS };
    this.thread = new ThreadHandle<FromBackground>({
      name: 'background thread',
      entry: new URL('./background-thread-entry.js', import.meta.url),
      workerData: data,
      logger: o.logger,
      onMessage: (m) => {
        if (m.type === 'committed') return o.onCommitted(m.revision);
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.type === 'inserted') p?.resolve({ inserted: m.inserted });
        else p?.reject(m.unique ? new UniqueViolation('workload', new Error(m.message)) : new Error(`background thread: ${m.message}`));
      },
      onExit: () => {
        Atomics.store(this.wake, 0, 0);
        for (const p of this.pending.values()) p.reject(new Error('the background thread exited before the write was confirmed'));
        this.pending.clear();
        if (o.lock.releaseFor(BACKGROUND_HOLDER)) o.logger.warn('background thread exited holding the write lock; released');
      },
    });
  }

  start(): void {
    this.thread.start();
  }

  kick(): void {
    // A kick posted before the thread listens waits for it; with no thread, its first
    // round (a full pass) is still to come.
    if (this.thread.started && Atomics.exchange(this.wake, 0, 1) === 0) this.thread.post('kick' satisfies ToBackground);
  }

  /** The insert, run in the thread; `undefined` while the thread is not running. */
  insert(row: WorkloadRow, events: readonly EventInsert[]): Promise<{ inserted: boolean }> | undefined {
    if (!this.thread.running) return undefined;
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.thread.post({ type: 'insert', id, row, events } satisfies ToBackground);
    });
  }

  stop(): Promise<void> {
    return this.thread.stop();
  }
}
