/**
 * Wakes watchers when the event log grows. Commits in this process notify at once;
 * with `pollMs` it also polls, so replicas sharing PostgreSQL see each other's events.
 */
export class EventBus {
  private latest = 0;
  private waiters = new Set<() => void>();
  private readonly listeners: Array<(revision: number) => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly readLatest: () => Promise<number>,
    pollMs?: number,
  ) {
    if (pollMs) {
      this.timer = setInterval(() => {
        void this.readLatest().then((rev) => this.notify(rev), () => {});
      }, pollMs);
      this.timer.unref();
    }
  }

  /** The newest revision this process knows of. */
  get revision(): number {
    return this.latest;
  }

  /** Calls `fn` whenever the log grows (from this process or, when polling, another replica). */
  subscribe(fn: (revision: number) => void): void {
    this.listeners.push(fn);
  }

  /** Records that the log reached `revision` and wakes every waiter when it grew. */
  notify(revision: number): void {
    if (revision <= this.latest) return;
    this.latest = revision;
    for (const l of this.listeners) l(revision);
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** Resolves when the log passes `after`, after `timeoutMs`, or when `signal` aborts. */
  wait(after: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.latest > after || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const w of this.waiters) w();
    this.waiters.clear();
  }
}
