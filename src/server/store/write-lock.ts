const FREE = 0;

/** The holder numbers of the server's threads. */
export const MAIN_HOLDER = 1;
export const BACKGROUND_HOLDER = 2;
/** Cells of the shared buffer: who holds the lock (0: nobody), and how many threads wait for it. */
const HOLDER = 0;
const WAITERS = 1;

/**
 * A lock over shared memory that threads of one process take around their SQLite write
 * transactions, so that two connections to one file never wait on each other inside
 * SQLite. SQLite's own wait (the busy handler) sleeps the thread for whole
 * milliseconds, which on the event loop's thread stalls every request; waiting here is
 * a promise, and the release wakes the waiter at once. A deferred transaction that read
 * first also cannot fail to upgrade to a write (SQLITE_BUSY_SNAPSHOT): no other
 * connection commits while it holds the lock.
 *
 * Each thread makes its own `WriteLock` over the same buffer with its own `holder`
 * number (not 0), so that a thread that died holding the lock can be released for.
 * Writes that do not take the lock still meet SQLite's busy handler, so that stays the
 * safety net, not the rule.
 */
export class WriteLock {
  private readonly cell: Int32Array;

  constructor(
    private readonly holder: number,
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8),
  ) {
    if (!Number.isInteger(holder) || holder === FREE) throw new Error(`WriteLock holder must be a non-zero integer, not ${holder}`);
    this.cell = new Int32Array(buffer, 0, 2);
  }

  /** Resolves once this thread holds the lock; release it with `release`. */
  async acquire(): Promise<void> {
    for (;;) {
      const seen = Atomics.compareExchange(this.cell, HOLDER, FREE, this.holder);
      if (seen === FREE) return;
      // Counted before the wait checks the holder again: a release either sees the count
      // and wakes us, or came first, and then the wait returns at once ("not-equal").
      Atomics.add(this.cell, WAITERS, 1);
      const waited = Atomics.waitAsync(this.cell, HOLDER, seen);
      if (waited.async) await waited.value;
      Atomics.sub(this.cell, WAITERS, 1);
    }
  }

  release(): void {
    this.releaseFor(this.holder);
  }

  /** Frees the lock if `holder` holds it (a thread that exited); returns whether it did. */
  releaseFor(holder: number): boolean {
    if (Atomics.compareExchange(this.cell, HOLDER, holder, FREE) !== holder) return false;
    // Notifying showed in profiles of the API at tens of microseconds a release: only
    // when someone waits.
    if (Atomics.load(this.cell, WAITERS) > 0) Atomics.notify(this.cell, HOLDER);
    return true;
  }
}
