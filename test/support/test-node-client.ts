import { PROFILE_TABLE, type RuntimeProfile } from '../../src/api/isolation.js';
import type { CapabilityReport } from '../../src/api/node.js';
import type { PodStatusReport } from '../../src/api/schemas/requests.js';
import type { Assignment, AssignmentMessage, HeartbeatResult, JoinResult } from '../../src/api/wire.js';
import { ApiClient } from '../../src/client/api-client.js';
import { verifiedReport } from '../../src/scheduler/test-support.js';
import { waitUntil } from './wait-until.js';

/**
 * A FAKE capability report: what a node of `profile` that passed every host check
 * would send. Nothing was probed; Kata cannot run on the test machines, so microvm
 * nodes in end-to-end tests exist only through reports like this one.
 */
export function fakeReport(profile: RuntimeProfile, overrides: Partial<CapabilityReport> = {}): CapabilityReport {
  return verifiedReport(profile, {
    checks: [
      { name: 'engine', ok: true, detail: 'fake report of the test node client: nothing was probed' },
      { name: 'runtime', ok: true, detail: `fake: ${PROFILE_TABLE[profile].runtime}` },
    ],
    ...overrides,
  });
}

/** What the test node client does with an assignment on its own. */
export type AutoRun = 'off' | 'running';

/**
 * TEST NODE CLIENT: a stand-in for the node agent in end-to-end tests. It speaks the
 * node API exactly as an agent does (join with a capability report, heartbeats, the
 * assignment stream, pod status reports) but runs nothing: the report is whatever the
 * test gives it (see `fakeReport`), and pods "run" only because it says so. Use it for
 * microvm nodes (no Kata here), nodes whose reports a test must shape (unverified,
 * corrupt, with GPUs) and nodes that go silent (stop heartbeating).
 */
export class TestNodeClient {
  /** Every message the assignment stream delivered, in order. */
  readonly messages: AssignmentMessage[] = [];
  private readonly client: ApiClient;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private stream: AbortController | undefined;
  private streaming: Promise<void> | undefined;
  private lastRevision = 0;

  private constructor(
    readonly realm: string,
    readonly id: string,
    readonly name: string,
    readonly credential: string,
    private autoRun: AutoRun,
  ) {
    this.client = new ApiClient({ realm, token: credential, timeoutMs: 10_000 });
  }

  /**
   * Joins `subnet` with `report` using a user token (the provider's), as
   * `idyl node join` does after its host checks. The server's refusal is thrown.
   */
  static async join(
    realm: string,
    userToken: string,
    req: { subnet: string; name?: string; fleet?: string; report: CapabilityReport | Record<string, unknown>; autoRun?: AutoRun },
  ): Promise<TestNodeClient> {
    const user = new ApiClient({ realm, token: userToken, timeoutMs: 10_000 });
    try {
      const body = { subnet: req.subnet, report: req.report, ...(req.name ? { name: req.name } : {}), ...(req.fleet ? { fleet: req.fleet } : {}) };
      const joined = await user.call<JoinResult>('nodes.join', { body });
      return new TestNodeClient(realm, joined.node.id, joined.node.name, joined.credential, req.autoRun ?? 'off');
    } finally {
      user.close();
    }
  }

  /** One heartbeat, with a (changed) report when given. */
  heartbeat(report?: CapabilityReport | Record<string, unknown>): Promise<HeartbeatResult> {
    return this.client.call<HeartbeatResult>('nodes.heartbeat', { params: { node: this.id }, body: report ? { report } : {} });
  }

  /** Heartbeats every `intervalMs` until `stopHeartbeats()` (a live node). */
  startHeartbeats(intervalMs = 500): void {
    this.stopHeartbeats();
    const beat = () => void this.heartbeat().catch(() => {});
    beat();
    this.heartbeatTimer = setInterval(beat, intervalMs);
  }

  /** Goes silent: the server will mark the node disconnected after its heartbeat timeout. */
  stopHeartbeats(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** Opens the assignment stream (from the start, or from the last revision seen) and records what it delivers. */
  connect(): void {
    if (this.streaming) return;
    const abort = new AbortController();
    this.stream = abort;
    this.streaming = (async () => {
      try {
        const since = this.lastRevision;
        for await (const m of this.client.ndjson<AssignmentMessage>('nodes.assignments', { params: { node: this.id }, query: { since } }, abort.signal)) {
          this.messages.push(m);
          if ('revision' in m) this.lastRevision = Math.max(this.lastRevision, m.revision);
          await this.onMessage(m);
        }
      } catch {
        // The stream ends when the test disconnects or the server goes; the test decides what that means.
      } finally {
        this.streaming = undefined;
      }
    })();
  }

  /** Closes the assignment stream (heartbeats go on unless stopped). */
  async disconnect(): Promise<void> {
    this.stream?.abort();
    await this.streaming;
  }

  /** Every pod assigned so far (from snapshots and `assign` messages), latest attempt per pod. */
  assignments(): Assignment[] {
    const byPod = new Map<string, Assignment>();
    for (const m of this.messages) {
      if (m.type === 'snapshot') for (const a of m.assignments) byPod.set(a.podId, a);
      if (m.type === 'assign') byPod.set(m.assignment.podId, m.assignment);
    }
    return [...byPod.values()];
  }

  /** Resolves the first assignment that `match` accepts, waiting up to `timeoutMs`. */
  waitForAssignment(match: (a: Assignment) => boolean, timeoutMs = 10_000): Promise<Assignment> {
    return waitUntil(`an assignment on node ${this.name}`, () => this.assignments().find(match), timeoutMs, 50);
  }

  /** Reports a pod's state as an agent would. */
  report(podId: string, r: PodStatusReport): Promise<{ applied: boolean }> {
    return this.client.call<{ applied: boolean }>('nodes.podStatus', { params: { node: this.id, pod: podId }, body: r });
  }

  /** Reports `Running` for an assignment, with a FAKE observed isolation for microvm pods. */
  reportRunning(a: Assignment): Promise<{ applied: boolean }> {
    const at = new Date().toISOString();
    const observed =
      a.target.isolationClass === 'microvm'
        ? {
            observedIsolation: {
              class: 'microvm' as const,
              runtime: PROFILE_TABLE[a.target.runtimeProfile].runtime,
              ...(a.target.vmmBackend ? { vmmBackend: a.target.vmmBackend } : {}),
              evidence: 'fake: reported by the test node client, nothing was verified',
              verifiedAt: at,
            },
          }
        : {};
    return this.report(a.podId, { attempt: a.attempt, state: 'Running', startedAt: at, containerId: `fake-${a.podId}`, ...observed });
  }

  /** Stops heartbeats and the stream. */
  async close(): Promise<void> {
    this.stopHeartbeats();
    await this.disconnect();
    this.client.close();
  }

  private async onMessage(m: AssignmentMessage): Promise<void> {
    if (this.autoRun !== 'running') return;
    const fresh = m.type === 'assign' ? [m.assignment] : m.type === 'snapshot' ? m.assignments.filter((a) => !a.finished) : [];
    for (const a of fresh) await this.reportRunning(a).catch(() => {});
    if (m.type === 'unassign') await this.report(m.podId, { attempt: m.attempt, state: 'Removed' }).catch(() => {});
  }
}
