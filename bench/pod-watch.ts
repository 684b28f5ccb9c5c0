import type { EventRecord } from '../src/api/event.js';
import type { ApiClient } from '../src/client/api-client.js';

/** When the control plane recorded each step of one pod (epoch ms, from its event log). */
export interface PodTimeline {
  /** `workload.created`: the create call was stored. */
  created?: number;
  /** `workload.scheduled`: a planning round placed it. */
  scheduled?: number;
  /** `pod.pulling`: the agent's first report (it took the assignment). */
  pulling?: number;
  /** `pod.running`: the control plane recorded the pod as Running. */
  running?: number;
  /** The message of a `pod.failed`, `workload.failed` or `workload.unschedulable` event (it will not run soon). */
  failed?: string;
}

/** How a wait for pods to run ended. */
export interface RunningOutcome {
  readonly running: number;
  readonly failed: number;
  /** Neither running nor failed when the wait ended. */
  readonly missing: number;
}

/**
 * Follows an account's event log (one NDJSON stream, `GET /v1/events?follow=true`,
 * from a revision on) and keeps each pod's timeline from the events' own recorded
 * times. Costs the server what one `idyl events -f` costs; no polling.
 */
export class PodWatch {
  private readonly pods = new Map<string, PodTimeline>();
  private readonly abort = new AbortController();
  private readonly waiters = new Set<() => void>();
  private error: Error | undefined;
  private readonly loop: Promise<void>;

  private constructor(client: ApiClient, since: number) {
    this.loop = this.follow(client, since);
  }

  /** Starts following from the log's current revision (everything after now is seen). */
  static async open(client: ApiClient): Promise<PodWatch> {
    const { revision } = await client.call<{ revision: number }>('events.list', { query: { limit: 1 } });
    return new PodWatch(client, revision);
  }

  /** The timeline of pod `id` so far. */
  timeline(id: string): PodTimeline {
    return { ...this.pods.get(id) };
  }

  /** Resolves once every pod of `ids` is Running or failed, or when `timeoutMs` ran out. */
  async settled(ids: readonly string[], timeoutMs: number): Promise<RunningOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.error) throw this.error;
      const outcome = this.count(ids);
      if (outcome.missing === 0 || Date.now() >= deadline) return outcome;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.waiters.add(done);
      });
    }
  }

  /** Ends the stream. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private count(ids: readonly string[]): RunningOutcome {
    let running = 0;
    let failed = 0;
    for (const id of ids) {
      const t = this.pods.get(id);
      if (t?.running !== undefined) running++;
      else if (t?.failed !== undefined) failed++;
    }
    return { running, failed, missing: ids.length - running - failed };
  }

  private async follow(client: ApiClient, since: number): Promise<void> {
    try {
      const stream = client.ndjson<EventRecord | { type: 'ping' }>('events.list', { query: { follow: 'true', since: String(since) } }, this.abort.signal);
      for await (const e of stream) {
        if ('subject' in e) this.record(e);
        for (const wake of [...this.waiters]) wake();
      }
    } catch (err) {
      if (!this.abort.signal.aborted) this.error = err instanceof Error ? err : new Error(String(err));
    } finally {
      if (!this.abort.signal.aborted) this.error ??= new Error('the event stream ended');
      for (const wake of [...this.waiters]) wake();
    }
  }

  private record(e: EventRecord): void {
    if (e.subject.kind !== 'Pod') return;
    const t = this.pods.get(e.subject.id) ?? {};
    const at = Date.parse(e.at);
    if (e.type === 'workload.created') t.created ??= at;
    else if (e.type === 'workload.scheduled') t.scheduled ??= at;
    else if (e.type === 'pod.pulling') t.pulling ??= at;
    else if (e.type === 'pod.running') t.running ??= at;
    else if (e.type === 'pod.failed' || e.type === 'workload.failed' || e.type === 'workload.unschedulable') t.failed ??= e.message;
    this.pods.set(e.subject.id, t);
  }
}
