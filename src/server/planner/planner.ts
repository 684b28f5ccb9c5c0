import { DEFAULT_CLASS_OVERHEAD, PROFILE_TABLE } from '../../api/isolation.js';
import { parseGpuRequest, type GpuRequest } from '../../api/gpu.js';
import type { Resources } from '../../api/node.js';
import type { PlacementRecord } from '../../api/placement.js';
import type { PodSpec } from '../../api/schemas/workload.js';
import { checkPolicyCompliance } from '../../policy/policy-compliance.js';
import { Scheduler } from '../../scheduler/scheduler.js';
import type { NodeView, PodToPlace } from '../../scheduler/snapshot.js';
import type { PodDecision } from '../../scheduler/plan.js';
import type { AdmissionRow, NodeRow, SubnetRow, WorkloadRow } from '../store/rows.js';
import type { NodeAllocationSums, Repos } from '../store/store.js';
import { accountAdmitted, nodeAdmitted } from '../services/admission.js';
import { isoNow, type ServiceDeps } from '../services/deps.js';
import { isConnected } from '../services/nodes/nodes-service.js';
import { cond, setCondition } from '../services/subnets.js';
import { assignmentOf } from '../services/workloads/pod-rows.js';

/** Pods looked at per round; more wait for the next round, which follows at once. */
const ROUND_LIMIT = 5000;
/** Placements committed per transaction. */
const COMMIT_CHUNK = 250;

/** What one microVM costs a node beyond its request: the node's own figure, else the backend's default. */
export function vmOverhead(n: NodeRow): Resources {
  const backend = PROFILE_TABLE[n.runtimeProfile].vmmBackend;
  if (!backend) return { cpuMillis: 0, memoryBytes: 0 };
  return n.report?.overhead ?? DEFAULT_CLASS_OVERHEAD[backend];
}

/** What the pods on a node hold, microVM overhead included. */
export function chargedAllocation(n: NodeRow, sums: NodeAllocationSums | undefined): { cpuMillis: number; memoryBytes: number; gpuIds: string[]; pods: number } {
  if (!sums) return { cpuMillis: 0, memoryBytes: 0, gpuIds: [], pods: 0 };
  const o = vmOverhead(n);
  return { cpuMillis: sums.cpuMillis + sums.microvmPods * o.cpuMillis, memoryBytes: sums.memoryBytes + sums.microvmPods * o.memoryBytes, gpuIds: sums.gpuIds, pods: sums.pods };
}

/**
 * Takes the pending pods, asks the (pure) scheduler for a plan over a fresh
 * snapshot, and commits each placement with an optimistic check: a pod that changed
 * meanwhile, or a node whose capabilities changed, is left for the next round.
 * Unplaceable pods get the diagnosis, written only when it changed.
 */
export class Planner {
  constructor(private readonly deps: ServiceDeps) {}

  /** One round; returns how many pods it placed and whether more are waiting. */
  async round(): Promise<{ placed: number; unplaceable: number; more: boolean }> {
    const store = this.deps.store.read;
    const pending = await store.workloads.list({ kind: 'Pod', phases: ['Pending'], unbound: true, limit: ROUND_LIMIT });
    if (pending.length === 0) return { placed: 0, unplaceable: 0, more: false };
    const subnetIds = [...new Set(pending.map((p) => p.subnetId))];
    const subnets = new Map<string, SubnetRow>();
    const entries = new Map<string, AdmissionRow[]>();
    for (const id of subnetIds) {
      const s = await store.subnets.get(id);
      if (s) {
        subnets.set(id, s);
        entries.set(id, await store.admission.list(id));
      }
    }
    const nodes = await store.nodes.list({ subnetIds });
    const sums = await store.workloads.allocations(nodes.map((n) => n.id));
    const now = this.deps.now();
    const views: NodeView[] = nodes.map((n) => {
      const s = subnets.get(n.subnetId) as SubnetRow;
      const a = sums.get(n.id);
      const charged = chargedAllocation(n, a);
      return {
        id: n.id,
        name: n.name,
        subnetId: n.subnetId,
        admitted: nodeAdmitted(s, n, entries.get(n.subnetId) ?? []),
        connected: isConnected(n, now, this.deps.settings.heartbeatTimeoutMs),
        declaredProfile: n.runtimeProfile,
        report: n.report,
        allocated: { cpuMillis: charged.cpuMillis, memoryBytes: charged.memoryBytes, gpuIds: charged.gpuIds, podsByOwner: Object.fromEntries(a?.byOwner ?? []) },
      };
    });
    const scheduler = new Scheduler({ nodes: views });
    const nodeById = new Map(nodes.map((n) => [n.id, n]));
    const outcomes: Array<{ pod: WorkloadRow; decision: PodDecision } | { pod: WorkloadRow; violation: { code: string; message: string } } | { pod: WorkloadRow; notAdmitted: string }> = [];
    for (const pod of pending) {
      const s = subnets.get(pod.subnetId);
      const spec = pod.spec as PodSpec;
      const gpu = parseGpu(spec);
      // Every path re-checks the frozen class against the subnet's policy now (field case 21).
      const violation = checkPolicyCompliance(s?.runtimePolicy, { isolation: pod.isolation, gpu: gpu !== undefined });
      if (violation) {
        outcomes.push({ pod, violation });
        continue;
      }
      // Developer admission holds at placement too, not only at submit (field case 23).
      if (s && !accountAdmitted(s, pod.accountId, entries.get(pod.subnetId) ?? [])) {
        outcomes.push({ pod, notAdmitted: `account ${pod.accountId} is no longer admitted to deploy into subnet ${s.name ?? s.slug}` });
        continue;
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
      outcomes.push({ pod, decision: scheduler.place(toPlace) });
    }
    let placed = 0;
    let unplaceable = 0;
    for (let i = 0; i < outcomes.length; i += COMMIT_CHUNK) {
      const chunk = outcomes.slice(i, i + COMMIT_CHUNK);
      await this.deps.store.transaction(async (tx) => {
        const at = isoNow(this.deps);
        for (const o of chunk) {
          if ('violation' in o) await this.failForPolicy(tx, o.pod, o.violation, at);
          else if ('notAdmitted' in o) {
            unplaceable++;
            await this.holdNotAdmitted(tx, o.pod, o.notAdmitted, at);
          }
          else if (o.decision.placed) placed += (await this.commitPlacement(tx, o.pod, o.decision, nodeById, at)) ? 1 : 0;
          else {
            unplaceable++;
            await this.recordUnschedulable(tx, o.pod, o.decision, at);
          }
        }
      });
    }
    return { placed, unplaceable, more: pending.length === ROUND_LIMIT };
  }

  private async commitPlacement(tx: Repos, pod: WorkloadRow, d: PodDecision & { placed: true }, nodes: Map<string, NodeRow>, at: string): Promise<boolean> {
    const planned = d.placement;
    const node = nodes.get(planned.node);
    const current = await tx.nodes.get(planned.node);
    // The node changed (capabilities, admission) since the snapshot: plan again next round.
    if (!node || !current || current.version !== node.version) return false;
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
