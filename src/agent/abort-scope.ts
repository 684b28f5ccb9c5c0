/**
 * Per-call abort signals that one `abort()` ends together. Calls in flight do not
 * listen to one long-lived signal (a burst of them would trip Node's limit of 10
 * listeners, and a call that never finished would keep its listener for good):
 * each gets its own controller, which the scope forgets once the call settled.
 */
export class AbortScope {
  private readonly live = new Set<AbortController>();
  private readonly ended = new AbortController();

  /** Aborted once the scope is (for loops that only check it between calls). */
  get signal(): AbortSignal {
    return this.ended.signal;
  }

  /** Runs `call` with a signal of its own that `abort()` aborts. */
  async run<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const own = new AbortController();
    if (this.ended.signal.aborted) own.abort(this.ended.signal.reason);
    else this.live.add(own);
    try {
      return await call(own.signal);
    } finally {
      this.live.delete(own);
    }
  }

  /** Calls in flight at the moment (for tests). */
  get inFlight(): number {
    return this.live.size;
  }

  abort(): void {
    this.ended.abort();
    for (const c of this.live) c.abort(this.ended.signal.reason);
    this.live.clear();
  }
}
