import { parseGpuRequest, type GpuRequest } from '../../api/gpu.js';
import type { PlacementRecord } from '../../api/placement.js';
import type { PodSpec } from '../../api/schemas/workload.js';
import { checkPolicyCompliance } from '../../policy/policy-compliance.js';
import type { PodToPlace } from '../../scheduler/snapshot.js';
import type { PodDecision } from '../../scheduler/plan.js';
import type { NodeRow, WorkloadRow } from '../store/rows.js';
import type { Repos } from '../store/store.js';
import { accountAdmitted } from '../services/admission.js';
import { isoNow, type ServiceDeps } from '../services/deps.js';
import { cond, setCondition } from '../services/subnets.js';
import { assignmentOf } from '../services/workloads/pod-rows.js';
import { classifyChanges } from './change-feed.js';
import { readPlacementSnapshot, type PlacementSnapshot } from './placement-snapshot.js';

/** Pods looked at per round of a full pass unless the settings say otherwise; the pass goes on from there in the next round, which follows at once. */
const ROUND_LIMIT = 5000;
/** Placements committed per transaction unless the options say otherwise. */
const COMMIT_CHUNK = 250;

export interface PlannerOptions {
  /**
   * Outcomes committed per transaction. The background thread commits smaller chunks: the
   * API's own commits wait for the write lock while it holds it.
   */
  readonly commitChunk?: number;
}
/** Events read per round; more than this many since the last round means a full pass. */
const CHANGE_LIMIT = 5000;
/** How long a snapshot serves rounds that only place new pods; then it is read again. */
const SNAPSHOT_TTL_MS = 10_000;

type Outcome =
  | { pod: WorkloadRow; decision: PodDecision }
  | { pod: WorkloadRow; violation: { code: string; message: string } }
  | { pod: WorkloadRow; notAdmitted: string };

/**
 * Places pending pods. A full pass takes every pending pod, page by page, over fresh
 * snapshots; it runs at start and whenever the event log shows a change that can
 * make a waiting pod placeable (or no longer placeable): nodes, capacity, policy,
 * admission. Between such changes a round reads the log since the last one and
 * places only the pods created meanwhile, over a snapshot kept up to 10 s
 * whose scheduler has assumed every placement made since it was read. Pods that fit
 * nowhere are not looked at again until the world changes; their diagnosis stays.
 * Every placement is committed with an optimistic check (the pod's version, the
 * node's version); a refused commit ends the shortcut and starts a full pass.
 */
export class Planner {
  /** The last event revision taken into account. */
  private seen = 0;
  /** A full pass is due or under way; its cursor is the last pod of the previous page. */
  private pass: { after?: { createdAt: string; id: string } } | undefined = {};
  private snapshot: PlacementSnapshot | undefined;
  /**
   * Pods this planner placed whose `workload.scheduled` event it has not read yet: its
   * own placements, which its snapshots account for (assumed by the scheduler, or read
   * from the store after the commit). Anyone else's placement is a change of the world.
   */
  private readonly placedHere = new Set<string>();

  private readonly commitChunk: number;

  constructor(
    private readonly deps: ServiceDeps,
    options: PlannerOptions = {},
  ) {
    this.commitChunk = options.commitChunk ?? COMMIT_CHUNK;
  }

  /** One round; returns how many pods it placed and whether more are waiting. */
  async round(): Promise<{ placed: number; unplaceable: number; more: boolean }> {
    try {
      return await this.roundOnce();
    } catch (err) {
      // What the failed round read or skipped is unknown: the next round starts a full pass.
      this.pass = {};
      this.snapshot = undefined;
      throw err;
    }
  }

  private async roundOnce(): Promise<{ placed: number; unplaceable: number; more: boolean }> {
    const store = this.deps.store.read;
    if (!this.pass) {
      const events = await store.events.listSince({}, this.seen, CHANGE_LIMIT);
      const changes = events.length >= CHANGE_LIMIT ? { fresh: [], world: true } : classifyChanges(events, this.placedHere);
      if (!changes.world) {
        this.seen = events.at(-1)?.revision ?? this.seen;
        for (const e of events) if (e.type === 'workload.scheduled') this.placedHere.delete(e.subject.id);
        const pods = (await Promise.all(changes.fresh.map((id) => store.workloads.get(id)))).filter(
          (p): p is WorkloadRow => p !== undefined && p.kind === 'Pod' && p.phase === 'Pending' && !p.nodeId && !p.deletedAt,
        );
        if (pods.length === 0) return { placed: 0, unplaceable: 0, more: false };
        const snapshot = await this.snapshotFor(pods);
        return { ...(await this.decideAndCommit(pods, snapshot)), more: false };
      }
      this.pass = {};
    }
    if (!this.pass.after) {
      // Events up to here are taken into account by this pass, own placements included.
      this.seen = await store.events.latestRevision();
      this.placedHere.clear();
      this.snapshot = undefined;
    }
    const limit = this.deps.settings.planPageSize ?? ROUND_LIMIT;
    const pending = await store.workloads.list({ kind: 'Pod', phases: ['Pending'], unbound: true, ...(this.pass.after ? { after: this.pass.after } : {}), limit });
    const last = pending.at(-1);
    const more = pending.length === limit && last !== undefined;
    this.pass = more ? { after: { createdAt: last.createdAt, id: last.id } } : undefined;
    if (pending.length === 0) return { placed: 0, unplaceable: 0, more };
    const snapshot = await this.readSnapshot([...new Set(pending.map((p) => p.subnetId))]);
    return { ...(await this.decideAndCommit(pending, snapshot)), more };
  }

  /** The kept snapshot when it is young and covers the pods' subnets, else a new one (of those subnets too). */
  private async snapshotFor(pods: readonly WorkloadRow[]): Promise<PlacementSnapshot> {
    const kept = this.snapshot;
    const wanted = new Set(pods.map((p) => p.subnetId));
    if (kept && this.deps.now().getTime() - kept.readAt < SNAPSHOT_TTL_MS && [...wanted].every((id) => kept.subnets.has(id))) return kept;
    for (const id of kept?.subnets.keys() ?? []) wanted.add(id);
    return this.readSnapshot([...wanted]);
  }

  private async readSnapshot(subnetIds: readonly string[]): Promise<PlacementSnapshot> {
    this.snapshot = await readPlacementSnapshot(this.deps.store.read, this.deps, subnetIds);
    return this.snapshot;
  }

  /** Decides every pod over `snapshot` and commits the outcomes in chunks. */
  private async decideAndCommit(pods: readonly WorkloadRow[], snapshot: PlacementSnapshot): Promise<{ placed: number; unplaceable: number }> {
    const outcomes = pods.map((pod) => this.decide(pod, snapshot));
    let placed = 0;
    let unplaceable = 0;
    let refused = false;
    for (let i = 0; i < outcomes.length; i += this.commitChunk) {
      const chunk = outcomes.slice(i, i + this.commitChunk);
      await this.deps.store.transaction(async (tx) => {
        const at = isoNow(this.deps);
        for (const o of chunk) {
          if ('violation' in o) await this.failForPolicy(tx, o.pod, o.violation, at);
          else if ('notAdmitted' in o) {
            unplaceable++;
            await this.holdNotAdmitted(tx, o.pod, o.notAdmitted, at);
          } else if (o.decision.placed) {
            if (await this.commitPlacement(tx, o.pod, o.decision, snapshot.nodes, at)) {
              placed++;
              this.placedHere.add(o.pod.id);
            } else refused = true;
          } else {
            unplaceable++;
            await this.recordUnschedulable(tx, o.pod, o.decision, at);
          }
        }
      });
    }
    // The snapshot assumed a placement that did not happen: read everything again.
    if (refused) {
      this.snapshot = undefined;
      this.pass ??= {};
    }
    return { placed, unplaceable };
  }

  private decide(pod: WorkloadRow, snapshot: PlacementSnapshot): Outcome {
    const s = snapshot.subnets.get(pod.subnetId);
    const spec = pod.spec as PodSpec;
    const gpu = parseGpu(spec);
    // Every path re-checks the frozen class against the subnet's policy now (field case 21).
    const violation = checkPolicyCompliance(s?.runtimePolicy, { isolation: pod.isolation, gpu: gpu !== undefined });
    if (violation) return { pod, violation };
    // Developer admission holds at placement too, not only at submit (field case 23).
    if (s && !accountAdmitted(s, pod.accountId, snapshot.admission.get(pod.subnetId) ?? [])) {
      return { pod, notAdmitted: `account ${pod.accountId} is no longer admitted to deploy into subnet ${s.name ?? s.slug}` };
    }
    const toPlace: PodToPlace = {
      id: pod.id,
      subnetId: pod.subnetId,
      ...(pod.ownerId ? { ownerId: pod.ownerId } : {}),
      isolation: pod.isolation,
      ...(spec.platform ? { platform: spec.platform } : {}),
      requests: { cpuMillis: pod.cpuMillis, memoryBytes: pod.memoryBytes },
      ...(gpu ? { gpu } : {}),
      ...(spec.require ? { require: spec.require } : {}),
      subnetPolicy: s?.runtimePolicy,
    };
    return { pod, decision: snapshot.scheduler.place(toPlace) };
  }

  private async commitPlacement(tx: Repos, pod: WorkloadRow, d: PodDecision & { placed: true }, nodes: ReadonlyMap<string, NodeRow>, at: string): Promise<boolean> {
    const planned = d.placement;
    const node = nodes.get(planned.node);
    const current = await tx.nodes.versionOf(planned.node);
    // The node changed (capabilities, admission) since the snapshot: plan again next round.
    if (!node || current === undefined || current !== node.version) return false;
    const placement: PlacementRecord = {
      node: planned.node,
      nodeName: planned.nodeName,
      runtimeProfile: planned.runtimeProfile,
      isolationClass: planned.isolationClass,
      ...(planned.vmmBackend ? { vmmBackend: planned.vmmBackend } : {}),
      ...(planned.gpus && planned.gpus.length ? { gpus: planned.gpus } : {}),
      at,
    };
    const { unschedulable: _u, ...rest } = pod.status;
    const status = {
      ...rest,
      placement,
      conditions: setCondition(
        pod.status.conditions.filter((c) => c.type !== 'Unschedulable' && c.type !== 'Rescheduled'),
        cond('Scheduled', 'True', 'placed', `placed on ${planned.nodeName} (${planned.runtimeProfile})`, at),
      ),
    };
    const fields = { nodeId: planned.node, attempt: pod.attempt + 1, status, updatedAt: at, ...(planned.gpus && planned.gpus.length ? { gpuIds: planned.gpus } : {}) };
    const ok = await tx.workloads.update(pod.id, fields, pod.resourceVersion);
    if (!ok) return false;
    const assignment = assignmentOf({ ...pod, ...fields });
    await tx.events.append({ type: 'pod.assigned', nodeId: planned.node, subjectKind: 'Pod', subjectId: pod.id, subjectName: pod.name, message: `${pod.name} assigned`, data: { assignment } });
    await tx.events.append({
      type: 'workload.scheduled',
      accountId: pod.accountId,
      subjectKind: 'Pod',
      subjectId: pod.id,
      subjectName: pod.name,
      subnetId: pod.subnetId,
      message: `pod ${pod.name} placed on ${planned.nodeName} (${planned.runtimeProfile}, class ${planned.isolationClass}${planned.vmmBackend ? `, ${planned.vmmBackend}` : ''})`,
      data: { placement },
    });
    return true;
  }

  private async recordUnschedulable(tx: Repos, pod: WorkloadRow, d: PodDecision & { placed: false }, at: string): Promise<void> {
    const u = d.unschedulable;
    const old = pod.status.unschedulable;
    if (old && old.summary === u.summary && JSON.stringify(old.nodes) === JSON.stringify(u.nodes)) return;
    const status = { ...pod.status, unschedulable: u, conditions: setCondition(pod.status.conditions, cond('Unschedulable', 'True', 'unschedulable', u.summary, at)) };
    if (!(await tx.workloads.update(pod.id, { status, updatedAt: at }, pod.resourceVersion))) return;
    if (old?.summary !== u.summary) {
      await tx.events.append({ type: 'workload.unschedulable', accountId: pod.accountId, subjectKind: 'Pod', subjectId: pod.id, subjectName: pod.name, subnetId: pod.subnetId, message: `pod ${pod.name} pending: ${u.summary}`, data: { reasons: u.reasons } });
    }
  }

  /** The pod waits, placed nowhere, until its account is admitted again; the reason says why. */
  private async holdNotAdmitted(tx: Repos, pod: WorkloadRow, message: string, at: string): Promise<void> {
    if (pod.status.unschedulable?.summary === message) return;
    const status = { ...pod.status, unschedulable: { summary: message, reasons: {}, nodes: [] }, conditions: setCondition(pod.status.conditions, cond('Unschedulable', 'True', 'not_admitted', message, at)) };
    if (!(await tx.workloads.update(pod.id, { status, updatedAt: at }, pod.resourceVersion))) return;
    await tx.events.append({ type: 'workload.unschedulable', accountId: pod.accountId, subjectKind: 'Pod', subjectId: pod.id, subjectName: pod.name, subnetId: pod.subnetId, message: `pod ${pod.name} pending: ${message}`, data: { reason: 'not_admitted' } });
  }

  private async failForPolicy(tx: Repos, pod: WorkloadRow, v: { code: string; message: string }, at: string): Promise<void> {
    const { unschedulable: _stale, ...rest } = pod.status;
    const status = { ...rest, phase: 'Failed' as const, reason: v.code, message: v.message, conditions: setCondition(pod.status.conditions, cond('Unschedulable', 'False', v.code, v.message, at)) };
    if (!(await tx.workloads.update(pod.id, { phase: 'Failed', status, updatedAt: at }, pod.resourceVersion))) return;
    await tx.events.append({ type: 'workload.failed', accountId: pod.accountId, subjectKind: 'Pod', subjectId: pod.id, subjectName: pod.name, subnetId: pod.subnetId, message: `pod ${pod.name} not placed: ${v.message}`, data: { reason: v.code } });
  }
}

function parseGpu(spec: PodSpec): GpuRequest | undefined {
  if (spec.gpu === undefined) return undefined;
  const g = parseGpuRequest(spec.gpu, 'spec.gpu');
  return g.ok ? g.value : undefined;
}
