import { PROFILE_TABLE, type RuntimeProfile } from '../api/isolation.js';
import type { GpuDevice } from '../api/gpu.js';
import type { PodStatusReport } from '../api/schemas/requests.js';
import type { Assignment } from '../api/wire.js';
import { guardAssignment } from './guard.js';
import type { HostView } from './host/host-view.js';
import { verifyIsolation } from './isolation/verify-isolation.js';
import { launchSpecOf, pullPolicyOf } from './launch-spec.js';
import { RuntimeError, type ContainerInfo, type RuntimeDriver } from './runtime/driver.js';

/** What a pod worker needs from the agent around it. */
export interface WorkerContext {
  readonly driver: RuntimeDriver;
  readonly host: HostView;
  readonly nodeId: string;
  readonly profile: RuntimeProfile;
  /** The node's GPUs as last probed. */
  gpus(): readonly GpuDevice[];
  /** The node's profile verified by the last probe. */
  verified(): boolean;
  report(podId: string, r: PodStatusReport): void;
  log(message: string, fields?: Record<string, unknown>): void;
  /** Grace for SIGTERM before SIGKILL when stopping. */
  readonly stopGraceMs: number;
}

const PULL_BACKOFF = [2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000];
const RESTART_BACKOFF = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 300_000];

/**
 * Runs one assigned pod on this node: guard, pull, create with the profile's
 * runtime, start, verify the isolation, then follow the container and apply the
 * restart policy. Everything it creates carries the pod's labels, so a restarted
 * agent adopts it instead of starting it twice.
 */
export class PodWorker {
  private readonly abort = new AbortController();
  private current: ContainerInfo | undefined;
  private restart = 0;
  private done: Promise<void> = Promise.resolve();
  /** The restart index of the container adopted at start, if any. */
  readonly adoptedRestart: number | undefined;

  constructor(
    private readonly ctx: WorkerContext,
    readonly assignment: Assignment,
    adopted?: ContainerInfo,
  ) {
    this.current = adopted;
    this.restart = adopted ? Number(adopted.labels['idyl.restart'] ?? 0) : 0;
    this.adoptedRestart = adopted ? this.restart : undefined;
  }

  /** The container the pod runs in now (or last ran in), for logs. */
  get containerId(): string | undefined {
    return this.current?.id;
  }

  /** Starts running the pod; a no-op once stopped or detached. */
  start(): void {
    if (this.abort.signal.aborted) return;
    this.done = this.run().catch((err: unknown) => {
      if (this.abort.signal.aborted) return;
      this.ctx.log('pod worker failed', { pod: this.assignment.podId, error: err instanceof Error ? err.message : String(err) });
      this.report({ state: 'Failed', reason: err instanceof RuntimeError ? err.reason : 'create_failed', message: err instanceof Error ? err.message : String(err) });
    });
  }

  /**
   * Stops following the pod and leaves its container running (the agent is shutting
   * down; a restarted agent adopts it). Ends the engine calls that wait on it, which
   * would otherwise keep the agent's process alive.
   */
  async detach(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  /** Stops the pod and removes everything made for it; reports `Removed`. */
  async stop(reportRemoval = true): Promise<void> {
    this.abort.abort();
    await this.done;
    const mine = await this.ctx.driver.list({ 'idyl.workload': this.assignment.podId, 'idyl.node': this.ctx.nodeId });
    await Promise.all(
      mine.map(async (c) => {
        await this.ctx.driver.stop(c.id, this.ctx.stopGraceMs).catch(() => {});
        await this.ctx.driver.remove(c.id).catch((err: unknown) => this.ctx.log('remove failed', { container: c.id, error: String(err) }));
      }),
    );
    if (reportRemoval) this.report({ state: 'Removed' });
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private report(r: Omit<PodStatusReport, 'attempt' | 'restartCount'> & { restartCount?: number }): void {
    this.ctx.report(this.assignment.podId, { attempt: this.assignment.attempt, restartCount: this.restart, ...r });
  }

  private get restartPolicy(): 'always' | 'on_failure' | 'never' {
    return this.assignment.spec.restartPolicy ?? 'never';
  }

  private async run(): Promise<void> {
    const a = this.assignment;
    // An ended pod is only kept (for its logs), never launched or restarted again.
    if (a.finished) return;
    if (this.current) {
      await this.resume(this.current);
    } else {
      const g = guardAssignment(a, this.ctx.profile, this.ctx.verified());
      if (!g.ok) {
        this.report({ state: 'Failed', reason: g.reason, message: g.message });
        return;
      }
      if (!(await (a.started ? this.replaceVanished() : this.launch()))) return;
    }
    while (!this.signal.aborted && this.current) {
      const code = await this.ctx.driver.wait(this.current.id, this.signal).catch((err: unknown) => {
        if (this.signal.aborted) return undefined;
        throw err;
      });
      if (code === undefined || this.signal.aborted) return;
      // The engine's own time: a container that ended while the agent was away ended then, not now.
      const ended = await this.ctx.driver.inspect(this.current.id).catch(() => undefined);
      if (this.signal.aborted) return;
      const finishedAt = ended?.finishedAt ?? new Date().toISOString();
      const oom = ended?.oomKilled === true;
      const how = oom ? `killed for going over its memory limit (exit code ${code})` : `exited with code ${code}`;
      const policy = this.restartPolicy;
      if (policy === 'never' || (policy === 'on_failure' && code === 0)) {
        this.report({ state: 'Exited', exitCode: code, finishedAt, containerId: this.current.id, ...(oom ? { reason: 'oom_killed', message: how } : {}) });
        return;
      }
      const delay = restartDelay(this.restart);
      this.report({ state: 'Waiting', reason: oom ? 'oom_killed' : 'restarting', message: `${how}; restarting in ${Math.round(delay / 1000)}s (policy ${policy})`, exitCode: code, finishedAt });
      if (!(await sleep(delay, this.signal))) return;
      await this.ctx.driver.remove(this.current.id).catch(() => {});
      this.restart++;
      if (!(await this.launch())) return;
    }
  }

  /**
   * The control plane recorded this attempt as started, yet no container of it is left
   * (removed while the agent was stopped): it is not started again as if new. With
   * `never` it fails; otherwise it counts as a restart, with the back-off. False when
   * the pod ended or the worker stopped (already reported).
   */
  private async replaceVanished(): Promise<boolean> {
    const why = 'the container vanished while the agent was stopped';
    const policy = this.restartPolicy;
    this.ctx.log(why, { pod: this.assignment.podId, attempt: this.assignment.attempt, policy });
    if (policy === 'never') {
      this.report({ state: 'Failed', reason: 'runtime_unavailable', message: why });
      return false;
    }
    this.restart = Math.max(this.restart, this.assignment.restartCount ?? 0);
    const delay = restartDelay(this.restart);
    this.report({ state: 'Waiting', reason: 'restarting', message: `${why}; restarting in ${Math.round(delay / 1000)}s (policy ${policy})` });
    if (!(await sleep(delay, this.signal))) return false;
    this.restart++;
    return this.launch();
  }

  /** Takes over a container found at start-up: nothing is started twice. */
  private async resume(c: ContainerInfo): Promise<void> {
    if (c.state === 'running') {
      const v = await this.verify(c);
      if (v) this.report({ state: 'Running', containerId: c.id, ...(c.startedAt ? { startedAt: c.startedAt } : {}), observedIsolation: v });
      else this.current = undefined;
      return;
    }
    if (c.state === 'exited') {
      // It ended while the agent was away; the wait loop applies the restart policy.
      return;
    }
    // Created but never started: start it now.
    await this.ctx.driver.start(c.id);
    const info = (await this.ctx.driver.inspect(c.id)) ?? c;
    this.current = info;
    const v = await this.verify(info);
    if (v) this.report({ state: 'Running', containerId: info.id, ...(info.startedAt ? { startedAt: info.startedAt } : {}), observedIsolation: v });
    else this.current = undefined;
  }

  /** Pull, create, start, verify; false when the pod failed for good (already reported). */
  private async launch(): Promise<boolean> {
    const a = this.assignment;
    const spec = launchSpecOf(a, this.ctx.nodeId, this.ctx.profile, this.ctx.gpus(), this.restart);
    for (let i = 0; ; i++) {
      if (this.signal.aborted) return false;
      this.report({ state: 'Pulling' });
      try {
        await this.ctx.driver.pull(spec.image, pullPolicyOf(a));
        break;
      } catch (err) {
        if (!(err instanceof RuntimeError) || this.restartPolicy === 'never') {
          this.report({ state: 'Failed', reason: err instanceof RuntimeError ? err.reason : 'image_pull_failed', message: errText(err) });
          return false;
        }
        const delay = PULL_BACKOFF[Math.min(i, PULL_BACKOFF.length - 1)] ?? 300_000;
        this.report({ state: 'Waiting', reason: err.reason, message: `${errText(err)}; retrying in ${Math.round(delay / 1000)}s` });
        if (!(await sleep(delay, this.signal))) return false;
      }
    }
    this.report({ state: 'Creating' });
    let created: ContainerInfo;
    try {
      created = await this.ctx.driver.create(spec);
    } catch (err) {
      this.report({ state: 'Failed', reason: err instanceof RuntimeError ? err.reason : 'create_failed', message: errText(err) });
      return false;
    }
    this.current = created;
    try {
      await this.ctx.driver.start(created.id);
    } catch (err) {
      await this.ctx.driver.remove(created.id).catch(() => {});
      this.current = undefined;
      this.report({ state: 'Failed', reason: err instanceof RuntimeError ? err.reason : 'start_failed', message: errText(err) });
      return false;
    }
    const info = (await this.ctx.driver.inspect(created.id)) ?? { ...created, state: 'running' as const };
    this.current = info;
    const observed = await this.verify(info);
    if (!observed) return false;
    this.report({ state: 'Running', containerId: info.id, startedAt: info.startedAt ?? new Date().toISOString(), observedIsolation: observed });
    return true;
  }

  /** Post-launch verification; on a mismatch the workload is killed and failed (field case 7). */
  private async verify(c: ContainerInfo) {
    const own = PROFILE_TABLE[this.ctx.profile];
    const v = await verifyIsolation(this.ctx.driver, this.ctx.host, c, { class: this.assignment.isolation.class, runtime: own.runtime, ...(own.vmmBackend ? { vmmBackend: own.vmmBackend } : {}) });
    if (v.ok) return v.observed;
    this.ctx.log('isolation verification failed; killing the workload', { pod: this.assignment.podId, container: c.id, evidence: v.evidence });
    await this.ctx.driver.stop(c.id, 0).catch(() => {});
    await this.ctx.driver.remove(c.id).catch(() => {});
    this.current = undefined;
    this.report({ state: 'Failed', reason: 'isolation_verification_failed', message: v.evidence });
    return undefined;
  }
}

function restartDelay(restarts: number): number {
  return RESTART_BACKOFF[Math.min(restarts, RESTART_BACKOFF.length - 1)] ?? 300_000;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Sleeps; false when aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
