const FREE = 0;

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
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4),
  ) {
    if (!Number.isInteger(holder) || holder === FREE) throw new Error(`WriteLock holder must be a non-zero integer, not ${holder}`);
    this.cell = new Int32Array(buffer, 0, 1);
  }

  /** Resolves once this thread holds the lock; release it with `release`. */
  async acquire(): Promise<void> {
    for (;;) {
      const seen = Atomics.compareExchange(this.cell, 0, FREE, this.holder);
      if (seen === FREE) return;
      const waited = Atomics.waitAsync(this.cell, 0, seen);
      if (waited.async) await waited.value;
    }
  }

  release(): void {
    this.releaseFor(this.holder);
  }

  /** Frees the lock if `holder` holds it (a thread that exited); returns whether it did. */
  releaseFor(holder: number): boolean {
    if (Atomics.compareExchange(this.cell, 0, holder, FREE) !== holder) return false;
    Atomics.notify(this.cell, 0);
    return true;
  }
}
