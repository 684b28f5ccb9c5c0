import type { IdylError } from '../api/errors.js';
import type { CapabilityReport } from '../api/node.js';
import type { PodStatusReport } from '../api/schemas/requests.js';
import type { Assignment, AssignmentMessage, HeartbeatResult } from '../api/wire.js';
import type { ApiClient } from '../client/api-client.js';
import { AbortScope } from './abort-scope.js';
import { diffReports } from './host/report-diff.js';
import type { HostView } from './host/host-view.js';
import type { NodeState } from './node-state.js';
import { PodWorker, type WorkerContext } from './pod-worker.js';
import type { ContainerInfo, RuntimeDriver } from './runtime/driver.js';
import { StatusReporter } from './status-reporter.js';

/** What the agent is built from (parsed at the edge, passed in). */
export interface AgentDeps {
  readonly state: NodeState;
  readonly client: ApiClient;
  readonly driver: RuntimeDriver;
  readonly host: HostView;
  /** Probes the host for the node's profile (the capability report and its checks). */
  probe(): Promise<CapabilityReport>;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  readonly stopGraceMs?: number;
  /**
   * Called when the control plane refuses the credential: re-reads the stored one
   * (rotated by `idyl node rotate-credential`); true when it changed and the client
   * now sends it.
   */
  reloadCredential?(): Promise<boolean>;
}

/** What the agent did once it learned that its node was deleted from the control plane. */
export interface NodeRemoval {
  /** Containers of the node stopped and removed. */
  readonly removed: number;
  /** Containers (or the engine listing) that could not be removed, with the engine's message. */
  readonly failures: readonly string[];
}

/**
 * The node agent: connects outbound only, heartbeats with the capability report
 * when it changed, follows its assignment stream (resuming from the last revision
 * after a disconnect), runs each assigned pod through a worker, adopts what it
 * finds labelled as its own at start, removes what is no longer wanted, and
 * answers log requests through the control plane.
 */
export class NodeAgent {
  /** Every call to the control plane gets its own signal from here; `stop` aborts them all. */
  private readonly calls = new AbortScope();
  private readonly workers = new Map<string, PodWorker>();
  /**
   * Pods being stopped, and containers being swept, in the background: one pod's grace
   * period (all of it for a process that ignores SIGTERM) holds up neither the
   * assignment stream nor other pods; only the same pod's next attempt waits for it.
   */
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly sweeping = new Set<Promise<void>>();
  private readonly reporter: StatusReporter;
  private report: CapabilityReport | undefined;
  private sentReport: CapabilityReport | undefined;
  private revision = 0;
  private heartbeatMs = 5_000;
  private adoptable: ContainerInfo[] | undefined;
  private loops: Promise<unknown>[] = [];
  private connected = false;
  private removal: Promise<void> | undefined;
  private settleRemoval!: (r: NodeRemoval) => void;
  /**
   * Resolves once the control plane said this node was deleted (`node_removed`, and
   * node.json holds no other credential) and the agent stopped following and removed
   * every container of the node: its pods run elsewhere now (field case 25).
   */
  readonly removed = new Promise<NodeRemoval>((resolve) => (this.settleRemoval = resolve));

  constructor(private readonly deps: AgentDeps) {
    this.reporter = new StatusReporter(
      async (podId, r) => {
        await this.calls.run((signal) => deps.client.call('nodes.podStatus', { params: { node: deps.state.nodeId, pod: podId }, body: r }, signal));
        if (r.state === 'Removed') this.reporter.forget(podId);
      },
      (podId, err) => deps.log('warn', 'status report not delivered; retrying', { pod: podId, error: (err as Error).message }),
    );
  }

  /** Starts the loops; resolves once the first probe ran. */
  async start(): Promise<void> {
    this.report = await this.deps.probe();
    this.adoptable = await this.deps.driver.list({ 'idyl.managed': 'true', 'idyl.node': this.deps.state.nodeId });
    this.loops = [this.heartbeatLoop(), this.streamLoop()];
  }

  /** Stops following; workloads keep running (a restarted agent adopts them). */
  async stop(): Promise<void> {
    this.calls.abort();
    this.reporter.close();
    await Promise.allSettled(this.loops);
    await this.removal;
    // The workers stop too (their containers keep running): none may restart a container
    // after the driver closed, and no engine wait may keep the process alive.
    await Promise.allSettled([...this.workers.values()].map((w) => w.detach()));
    await Promise.allSettled([...this.stopping.values(), ...this.sweeping]);
    await this.deps.driver.close();
    this.deps.client.close();
  }

  /** Pods this agent runs now (for tests and `idyl node get` on the node side). */
  get running(): readonly string[] {
    return [...this.workers.keys()];
  }

  private get signal(): AbortSignal {
    return this.calls.signal;
  }

  private workerContext(): WorkerContext {
    return {
      driver: this.deps.driver,
      host: this.deps.host,
      nodeId: this.deps.state.nodeId,
      profile: this.deps.state.runtimeProfile,
      gpus: () => this.report?.gpus ?? [],
      verified: () => this.report?.verified === true,
      report: (podId: string, r: PodStatusReport) => this.reporter.report(podId, r),
      log: (m, f) => this.deps.log('info', m, f),
      stopGraceMs: this.deps.stopGraceMs ?? 10_000,
    };
  }

  private async heartbeatLoop(): Promise<void> {
    let probing: Promise<CapabilityReport> | undefined;
    while (!this.signal.aborted) {
      try {
        probing ??= this.deps.probe();
        // A probe can be slow (an engine swamped by a burst of launches answered one after
        // 56 s): liveness must not wait for it, or the node is marked disconnected while it
        // works. When no report is ready within an interval, the heartbeat goes without one
        // (nothing changed, as far as the control plane is told) and the probe carries on.
        const fresh = await Promise.race([probing, sleep(this.heartbeatMs, this.signal).then(() => undefined)]);
        if (fresh) {
          probing = undefined;
          this.report = fresh;
        }
        const changed = fresh !== undefined && (!this.sentReport || diffReports(this.sentReport, fresh).changed);
        const r = await this.deps.client.call<HeartbeatResult>('nodes.heartbeat', { params: { node: this.deps.state.nodeId }, body: changed ? { report: fresh } : {} }, this.signal);
        if (changed) this.sentReport = fresh;
        this.heartbeatMs = r.heartbeatIntervalMs;
        // The interval has already passed while waiting for the probe.
        if (!fresh) continue;
      } catch (err) {
        if (this.signal.aborted) return;
        probing = undefined;
        this.sentReport = undefined;
        // The control plane may have lost what we sent: send the report again next time.
        if (await this.refusalHandled(err)) continue;
        this.deps.log('warn', 'heartbeat failed', { error: (err as Error).message });
      }
      await sleep(this.heartbeatMs, this.signal);
    }
  }

  private async streamLoop(): Promise<void> {
    let delay = 500;
    while (!this.signal.aborted) {
      try {
        const stream = this.deps.client.ndjson<AssignmentMessage>('nodes.assignments', { params: { node: this.deps.state.nodeId }, query: { since: this.revision } }, this.signal);
        for await (const m of stream) {
          // Stopping: what is still buffered waits for the next start (its snapshot and sweep).
          if (this.signal.aborted) break;
          if (!this.connected) {
            this.connected = true;
            this.deps.log('info', 'assignment stream connected', { since: this.revision });
            this.reporter.resendAll();
          }
          delay = 500;
          await this.handle(m);
        }
      } catch (err) {
        if (this.signal.aborted) return;
        if (await this.refusalHandled(err)) continue;
        this.deps.log('warn', 'assignment stream lost; reconnecting', { error: (err as IdylError).message, since: this.revision });
      }
      this.connected = false;
      await sleep(delay, this.signal);
      delay = Math.min(delay * 2, 15_000);
    }
  }

  /**
   * After a refused credential: true when a rotated one was found in node.json and is
   * now in use, or when the node was deleted (`node_removed` while node.json holds the
   * same credential): then the agent stops following and removes the node's containers.
   */
  private async refusalHandled(err: unknown): Promise<boolean> {
    const code = (err as IdylError | undefined)?.code;
    if (code !== 'unauthenticated' && code !== 'node_removed') return false;
    const changed = this.deps.reloadCredential ? await this.deps.reloadCredential().catch(() => false) : false;
    if (changed) {
      this.deps.log('info', 'the stored node credential changed (rotated); using the new one');
      return true;
    }
    if (code !== 'node_removed') return false;
    this.nodeDeleted();
    return true;
  }

  /** Once: stop following the control plane, then stop and remove every container of this node. */
  private nodeDeleted(): void {
    if (this.removal) return;
    this.deps.log('error', 'this node was deleted from the control plane; removing its workloads', { node: this.deps.state.nodeId });
    this.calls.abort();
    this.reporter.close();
    this.removal = this.removeEverything().then(this.settleRemoval, (err: unknown) => this.settleRemoval({ removed: 0, failures: [(err as Error).message] }));
  }

  private async removeEverything(): Promise<NodeRemoval> {
    // No loop may assign anew and no worker may restart a container while they go.
    await Promise.allSettled(this.loops);
    await Promise.allSettled([...this.workers.values()].map((w) => w.detach()));
    this.workers.clear();
    await Promise.allSettled([...this.stopping.values(), ...this.sweeping]);
    const found = await this.deps.driver.list({ 'idyl.managed': 'true', 'idyl.node': this.deps.state.nodeId });
    const failures: string[] = [];
    await Promise.all(
      found.map(async (c) => {
        try {
          await this.deps.driver.stop(c.id, this.deps.stopGraceMs ?? 10_000);
          await this.deps.driver.remove(c.id);
        } catch (err) {
          failures.push(`${c.id}: ${(err as Error).message}`);
        }
      }),
    );
    this.deps.log('info', 'removed the containers of the deleted node', { node: this.deps.state.nodeId, removed: found.length - failures.length, failed: failures.length });
    return { removed: found.length - failures.length, failures };
  }

  private async handle(m: AssignmentMessage): Promise<void> {
    switch (m.type) {
      case 'snapshot': {
        const wanted = new Map(m.assignments.map((a) => [a.podId, a]));
        for (const [podId, w] of this.workers) {
          const a = wanted.get(podId);
          if (!a || a.attempt !== w.assignment.attempt) this.unassign(podId);
        }
        for (const a of m.assignments) this.assign(a);
        await this.sweep(new Set(m.assignments.map((a) => `${a.podId}/${a.attempt}`)));
        this.revision = m.revision;
        return;
      }
      case 'assign':
        if (this.workers.get(m.assignment.podId)?.assignment.attempt !== m.assignment.attempt) {
          if (this.workers.has(m.assignment.podId)) this.unassign(m.assignment.podId);
          this.assign(m.assignment);
        }
        this.revision = m.revision;
        return;
      case 'unassign':
        this.unassign(m.podId, true, m.attempt);
        this.revision = m.revision;
        return;
      case 'logs':
        void this.serveLogs(m.requestId, m.podId, m.follow, m.tail);
        return;
      case 'ping':
        this.revision = Math.max(this.revision, m.revision);
        return;
    }
  }

  private assign(a: Assignment): void {
    if (this.workers.has(a.podId)) return;
    // Adopt what a previous run of the agent started for this very attempt (the newest restart).
    const mine = (this.adoptable ?? []).filter((c) => c.labels['idyl.workload'] === a.podId && c.labels['idyl.attempt'] === String(a.attempt));
    mine.sort((x, y) => Number(y.labels['idyl.restart'] ?? 0) - Number(x.labels['idyl.restart'] ?? 0));
    const adopted = mine[0];
    const worker = new PodWorker(this.workerContext(), a, adopted);
    this.workers.set(a.podId, worker);
    // The pod's previous attempt still stopping: start once its containers are gone.
    const previous = this.stopping.get(a.podId);
    if (previous) void previous.then(() => worker.start());
    else worker.start();
    if (adopted) this.deps.log('info', 'adopted a running pod', { pod: a.podId, container: adopted.id });
  }

  /** Stops a pod in the background (after a stop of the same pod still in flight). */
  private unassign(podId: string, report = true, attempt?: number): void {
    const w = this.workers.get(podId);
    this.workers.delete(podId);
    const prior = this.stopping.get(podId) ?? Promise.resolve();
    const tracked: Promise<void> = prior
      .then(() => (w ? w.stop(report) : this.removeUnrun(podId, report, attempt)))
      .catch((err: unknown) => this.deps.log('warn', 'stopping a pod failed', { pod: podId, error: (err as Error).message }))
      .finally(() => {
        if (this.stopping.get(podId) === tracked) this.stopping.delete(podId);
      });
    this.stopping.set(podId, tracked);
  }

  /** A pod this agent does not run (yet): remove what carries its label, and still confirm, so the control plane can let it go. */
  private async removeUnrun(podId: string, report: boolean, attempt: number | undefined): Promise<void> {
    const found = await this.deps.driver.list({ 'idyl.workload': podId, 'idyl.node': this.deps.state.nodeId });
    await Promise.all(found.map((c) => this.removeContainer(c.id, 0)));
    if (report && attempt !== undefined) this.reporter.report(podId, { attempt, state: 'Removed' });
  }

  private async removeContainer(id: string, graceMs: number): Promise<void> {
    await this.deps.driver.stop(id, graceMs).catch(() => {});
    await this.deps.driver.remove(id).catch(() => {});
  }

  /**
   * Removes idyl-labelled containers of this node that no assignment wants, and
   * older restarts of pods that are wanted (field case 25).
   */
  private async sweep(wanted: ReadonlySet<string>): Promise<void> {
    const found = await this.deps.driver.list({ 'idyl.managed': 'true', 'idyl.node': this.deps.state.nodeId });
    for (const c of found) {
      const podId = c.labels['idyl.workload'] ?? '';
      // A pod being stopped removes its own containers.
      if (this.stopping.has(podId)) continue;
      const keep = wanted.has(`${podId}/${c.labels['idyl.attempt']}`) && Number(c.labels['idyl.restart'] ?? 0) >= (this.workers.get(podId)?.adoptedRestart ?? 0);
      if (keep) continue;
      this.deps.log('info', 'removing a container no assignment wants', { container: c.id, pod: podId });
      const removal: Promise<void> = this.removeContainer(c.id, this.deps.stopGraceMs ?? 10_000).finally(() => this.sweeping.delete(removal));
      this.sweeping.add(removal);
    }
    this.adoptable = undefined;
  }

  private serveLogs(requestId: string, podId: string, follow: boolean, tail: number | undefined): Promise<void> {
    return this.calls.run((signal) => this.relayLogs(requestId, podId, follow, tail, signal));
  }

  private async relayLogs(requestId: string, podId: string, follow: boolean, tail: number | undefined, signal: AbortSignal): Promise<void> {
    const worker = this.workers.get(podId);
    const id = worker?.containerId;
    const driver = this.deps.driver;
    async function* body(): AsyncGenerator<Buffer> {
      // No container (not created yet, or gone): no output. Only the pod's own output goes back.
      if (!id) return;
      for await (const chunk of driver.logs(id, { follow, ...(tail !== undefined ? { tail } : {}), signal })) yield chunk.data;
      // Cut short by the agent stopping: break the upload off rather than end it, so the
      // client is told the stream broke instead of taking it for the pod's end.
      if (signal.aborted) throw new Error('the agent is stopping');
    }
    try {
      await this.deps.client.upload('nodes.logStream', { params: { node: this.deps.state.nodeId, request: requestId } }, body(), signal);
    } catch (err) {
      if (!signal.aborted) this.deps.log('warn', 'log request failed', { pod: podId, error: (err as Error).message });
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve();
    }, ms);
    const done = () => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
  });
}
