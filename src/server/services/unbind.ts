import type { Repos } from '../store/store.js';
import type { WorkloadRow } from '../store/rows.js';
import { cond, setCondition } from './subnets.js';

/**
 * Takes every live pod off a node (drained, removed or lost) and hands it back to the
 * scheduler: the pod keeps its frozen class, gets a new attempt, and its old node is
 * told to stop it. Deleting pods just go. Returns how many were placed anew.
 */
export async function unbindNodePods(tx: Repos, nodeId: string, reason: string, message: string, at: string): Promise<number> {
  let moved = 0;
  for (const w of await tx.workloads.list({ nodeId, includeDeleting: true })) {
    await tx.events.append({ type: 'pod.unassigned', nodeId, subjectKind: 'Pod', subjectId: w.id, subjectName: w.name, message: `${w.name} taken off the node: ${message}`, data: { podId: w.id, reason } });
    if (w.deletedAt) {
      await tx.workloads.delete(w.id);
      continue;
    }
    if (w.phase === 'Succeeded' || w.phase === 'Failed') {
      await tx.workloads.update(w.id, { nodeId: undefined, updatedAt: at });
      continue;
    }
    await rebind(tx, w, reason, message, at);
    moved++;
  }
  return moved;
}

async function rebind(tx: Repos, w: WorkloadRow, reason: string, message: string, at: string): Promise<void> {
  const { placement: _placement, observedIsolation: _observed, container: _container, unschedulable: _u, ...rest } = w.status;
  await tx.workloads.update(w.id, {
    nodeId: undefined,
    gpuIds: undefined,
    phase: 'Pending',
    status: { ...rest, phase: 'Pending', conditions: setCondition(w.status.conditions, cond('Rescheduled', 'True', reason, message, at)) },
    updatedAt: at,
  });
  await tx.events.append({ type: 'workload.rescheduled', accountId: w.accountId, subjectKind: w.kind, subjectId: w.id, subjectName: w.name, subnetId: w.subnetId, message: `${w.name} will be placed anew: ${message}`, data: { reason } });
}
