import type { PodStatusReport } from '../api/schemas/requests.js';

/** Sends one report; rejects when the control plane could not take it. */
export type SendReport = (podId: string, report: PodStatusReport) => Promise<void>;

/**
 * Delivers pod status reports: the latest state of each pod wins (a report that
 * was not sent yet is replaced), pods are reported in parallel, and a failed send
 * is retried with back-off until it lands or a newer report replaces it. After a
 * reconnect, `resendAll` reports every pod's current state again.
 */
export class StatusReporter {
  private readonly latest = new Map<string, PodStatusReport>();
  private readonly queued = new Map<string, PodStatusReport>();
  private readonly sending = new Set<string>();
  private closed = false;

  constructor(
    private readonly send: SendReport,
    private readonly onError: (podId: string, err: unknown) => void = () => {},
  ) {}

  /** Queues the newest state of a pod. */
  report(podId: string, r: PodStatusReport): void {
    if (this.closed) return;
    this.latest.set(podId, r);
    this.queued.set(podId, r);
    void this.pump(podId);
  }

  /** Forgets a pod once its removal was reported. */
  forget(podId: string): void {
    this.latest.delete(podId);
  }

  /** Sends every known state again (the control plane may have missed some). */
  resendAll(): void {
    for (const [podId, r] of this.latest) this.report(podId, r);
  }

  /** Resolves once nothing is queued or in flight (for tests and shutdown), or after `timeoutMs`. */
  async drain(timeoutMs = 5_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((this.queued.size || this.sending.size) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  }

  close(): void {
    this.closed = true;
  }

  private async pump(podId: string): Promise<void> {
    if (this.sending.has(podId)) return;
    this.sending.add(podId);
    let delay = 200;
    try {
      while (!this.closed) {
        const next = this.queued.get(podId);
        if (!next) return;
        this.queued.delete(podId);
        try {
          await this.send(podId, next);
          delay = 200;
        } catch (err) {
          this.onError(podId, err);
          if (!this.queued.has(podId)) this.queued.set(podId, next);
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 10_000);
        }
      }
    } finally {
      this.sending.delete(podId);
    }
  }
}
