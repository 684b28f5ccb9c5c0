import type { Resources } from '../../api/node.js';
import { DEFAULT_CLASS_OVERHEAD, PROFILE_TABLE } from '../../api/isolation.js';
import { Scheduler } from '../../scheduler/scheduler.js';
import type { NodeView } from '../../scheduler/snapshot.js';
import type { AdmissionRow, NodeRow, SubnetRow } from '../store/rows.js';
import type { NodeAllocationSums, Repos } from '../store/store.js';
import { nodeAdmitted } from '../services/admission.js';
import type { ServiceDeps } from '../services/deps.js';
import { isConnected } from '../services/nodes/nodes-service.js';

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
 * The state of some subnets as the planner read it at one moment: their policy and
 * admission entries, their nodes (with the versions a placement commit checks) and a
 * scheduler over them that assumes each placement it makes.
 */
export interface PlacementSnapshot {
  readonly subnets: ReadonlyMap<string, SubnetRow>;
  readonly admission: ReadonlyMap<string, readonly AdmissionRow[]>;
  readonly nodes: ReadonlyMap<string, NodeRow>;
  readonly scheduler: Scheduler;
  /** When it was read (ms since the epoch). */
  readonly readAt: number;
}

/** Reads the subnets `subnetIds` (those that exist), their nodes and what those nodes hold. */
export async function readPlacementSnapshot(store: Repos, deps: ServiceDeps, subnetIds: readonly string[]): Promise<PlacementSnapshot> {
  const subnets = new Map<string, SubnetRow>();
  const admission = new Map<string, AdmissionRow[]>();
  for (const id of subnetIds) {
    const s = await store.subnets.get(id);
    if (s) {
      subnets.set(id, s);
      admission.set(id, await store.admission.list(id));
    }
  }
  // A subnet at a time, letting other work of the thread run in between (on SQLite the
  // thread also writes the API's pod creations): reading 10,000 nodes at once held it
  // for about 100 ms. The reads were never one consistent view; every placement is
  // committed against the pod's and the node's versions.
  const nodes: NodeRow[] = [];
  const sums = new Map<string, NodeAllocationSums>();
  for (const id of subnets.keys()) {
    const some = await store.nodes.list({ subnetId: id });
    for (const [node, sum] of await store.workloads.allocations(some.map((n) => n.id))) sums.set(node, sum);
    nodes.push(...some);
    await new Promise((resolve) => setImmediate(resolve));
  }
  // In the order one read of them all gave (the scheduler breaks ties by it).
  nodes.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const now = deps.now();
  const views: NodeView[] = nodes.map((n) => {
    const s = subnets.get(n.subnetId) as SubnetRow;
    const a = sums.get(n.id);
    const charged = chargedAllocation(n, a);
    return {
      id: n.id,
      name: n.name,
      subnetId: n.subnetId,
      admitted: nodeAdmitted(s, n, admission.get(n.subnetId) ?? []),
      connected: isConnected(n, now, deps.settings.heartbeatTimeoutMs),
      declaredProfile: n.runtimeProfile,
      report: n.report,
      allocated: { cpuMillis: charged.cpuMillis, memoryBytes: charged.memoryBytes, gpuIds: charged.gpuIds, podsByOwner: Object.fromEntries(a?.byOwner ?? []) },
    };
  });
  return { subnets, admission, nodes: new Map(nodes.map((n) => [n.id, n])), scheduler: new Scheduler({ nodes: views }), readAt: now.getTime() };
}
