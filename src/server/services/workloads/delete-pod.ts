import type { WorkloadRow } from '../../store/rows.js';
import type { Repos } from '../../store/store.js';

/**
 * Asks for a pod's removal. Unplaced pods go at once; placed ones are marked and
 * their node is told to stop them; the row goes when the node confirms (or the node
 * itself goes), so capacity is not handed out twice.
 */
export async function markDeleting(tx: Repos, pod: WorkloadRow, why: string, at: string): Promise<void> {
  if (!pod.nodeId) {
    await tx.workloads.delete(pod.id);
  } else {
    await tx.workloads.update(pod.id, { deletedAt: at, updatedAt: at });
    await tx.events.append({ type: 'pod.unassigned', nodeId: pod.nodeId, subjectKind: 'Pod', subjectId: pod.id, subjectName: pod.name, message: `${pod.name} removed: ${why}`, data: { podId: pod.id, reason: why } });
  }
  await tx.events.append({ type: 'workload.deleted', accountId: pod.accountId, subjectKind: 'Pod', subjectId: pod.id, subjectName: pod.name, subnetId: pod.subnetId, message: `pod ${pod.name} deleted: ${why}` });
}
