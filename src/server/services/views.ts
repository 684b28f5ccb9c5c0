import type { NodeInfo, NodeState } from '../../api/node.js';
import type { Subnet } from '../../api/subnet.js';
import type { Workload } from '../../api/workload.js';
import { PROFILE_TABLE } from '../../api/isolation.js';
import type { AdmissionRow, NodeRow, SubnetRow, WorkloadRow } from '../store/rows.js';
import { shownConditions } from './nodes/report.js';

/** Row → wire conversions, so every route shows a resource the same way. */

/** A subnet as the API shows it; admission entries only for its owner. */
export function subnetView(s: SubnetRow, entries: readonly AdmissionRow[] | undefined): Subnet {
  return {
    slug: s.slug,
    ...(s.name ? { name: s.name } : {}),
    region: s.region,
    accountId: s.accountId,
    ...(s.runtimePolicy ? { runtimePolicy: s.runtimePolicy } : {}),
    admission: {
      developer: { mode: s.developerMode },
      provider: { mode: s.providerMode },
      entries: (entries ?? []).map((e) => ({ type: e.type, subjectKind: e.subjectKind, subjectId: e.subjectId, state: e.state, at: e.at })),
    },
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** How a subnet is addressed in workload metadata: its bound name, else its slug. */
export function subnetRef(s: SubnetRow): string {
  return s.name ?? s.slug;
}

/** A node as the API shows it. */
export function nodeView(
  n: NodeRow,
  subnet: SubnetRow,
  admitted: boolean,
  connected: boolean,
  alloc: { cpuMillis: number; memoryBytes: number; gpuIds: readonly string[]; pods: number } | undefined,
): NodeInfo {
  const profile = PROFILE_TABLE[n.runtimeProfile];
  const state: NodeState = !admitted ? 'pending-admission' : connected ? 'connected' : 'disconnected';
  const report = n.report;
  return {
    id: n.id,
    name: n.name,
    accountId: n.accountId,
    ...(n.fleetId ? { fleetId: n.fleetId } : {}),
    subnet: subnetRef(subnet),
    subnetSlug: subnet.slug,
    state,
    runtimeProfile: n.runtimeProfile,
    isolationClass: profile.isolationClass,
    ...(profile.vmmBackend ? { vmmBackend: profile.vmmBackend } : {}),
    ...(report ? { platform: report.platform } : {}),
    verified: report?.verified === true && report.runtimeProfile === n.runtimeProfile,
    capacity: { cpuMillis: report?.capacity.cpuMillis ?? 0, memoryBytes: report?.capacity.memoryBytes ?? 0, gpus: report?.gpus.length ?? 0 },
    allocated: { cpuMillis: alloc?.cpuMillis ?? 0, memoryBytes: alloc?.memoryBytes ?? 0, gpus: alloc?.gpuIds.length ?? 0, pods: alloc?.pods ?? 0 },
    gpus: report?.gpus ?? [],
    conditions: shownConditions(n.conditions, connected, n.lastHeartbeatAt, n.createdAt),
    ...(n.lastHeartbeatAt ? { lastHeartbeatAt: n.lastHeartbeatAt } : {}),
    createdAt: n.createdAt,
  };
}

/** A workload as the API shows it. */
export function workloadView(w: WorkloadRow, subnet: SubnetRow | undefined, owner?: WorkloadRow): Workload {
  return {
    kind: w.kind,
    metadata: {
      name: w.name,
      id: w.id,
      accountId: w.accountId,
      subnet: subnet ? subnetRef(subnet) : w.subnetId,
      subnetSlug: subnet?.slug ?? '',
      namespace: w.namespace,
      ...(w.labels ? { labels: w.labels } : {}),
      ...(w.annotations ? { annotations: w.annotations } : {}),
      ...(owner ? { ownerReferences: [{ kind: owner.kind, name: owner.name, id: owner.id }] } : {}),
      createdAt: w.createdAt,
      updatedAt: w.updatedAt,
      resourceVersion: w.resourceVersion,
    },
    spec: w.spec,
    status: { ...w.status, phase: w.phase, isolation: w.isolation },
  };
}
