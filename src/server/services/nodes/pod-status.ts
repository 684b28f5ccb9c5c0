import type { PodStatusReport } from '../../../api/schemas/requests.js';
import type { PodSpec } from '../../../api/schemas/workload.js';
import type { ContainerState, Phase, WorkloadStatus } from '../../../api/workload.js';
import type { WorkloadRow } from '../../store/rows.js';
import type { Repos } from '../../store/store.js';
import { isoNow, type ServiceDeps } from '../deps.js';
import { cond, setCondition } from '../subnets.js';
import { reconcileOwner } from '../workloads/owners.js';

/** Terminal reasons a node reports as `Failed`: the pod is not retried on that node. */
const TERMINAL_NOTE: Record<string, string> = {
  isolation_class_unsupported: 'the node refused it: its profile cannot serve the frozen class',
  isolation_verification_failed: 'post-launch verification found it was not isolated as admitted; it was killed',
};

/**
 * Applies what a node says about one of its pods. Reports for another node, an old
 * attempt or an unknown pod change nothing (answered `ignored`), so a late report
 * can never move a pod that was placed anew.
 */
export async function applyPodReport(deps: ServiceDeps, nodeId: string, podId: string, r: PodStatusReport): Promise<{ applied: boolean }> {
  const out = await deps.store.transaction(async (tx) => {
    const w = await tx.workloads.get(podId);
    if (!w || w.kind !== 'Pod') return { applied: false };
    if (w.nodeId !== nodeId || w.attempt !== r.attempt) return { applied: false };
    const at = isoNow(deps);
    if (r.state === 'Removed') {
      if (w.deletedAt) {
        await tx.workloads.delete(w.id);
        await tx.events.append({ type: 'pod.removed', accountId: w.accountId, subjectKind: 'Pod', subjectId: w.id, subjectName: w.name, subnetId: w.subnetId, message: `pod ${w.name} removed from its node` });
        await touchOwner(tx, w, at);
        return { applied: true };
      }
      return { applied: false };
    }
    const restart = (w.spec as PodSpec).restartPolicy ?? 'never';
    const container: ContainerState = {
      state: r.state === 'Failed' ? 'Exited' : r.state,
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.message ? { message: r.message } : {}),
      ...(r.startedAt ? { startedAt: r.startedAt } : {}),
      ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
      restartCount: r.restartCount ?? w.status.container?.restartCount ?? 0,
      ...(r.containerId ? { containerId: r.containerId } : {}),
    };
    let phase: Phase = w.phase;
    let status: WorkloadStatus = { ...w.status, container };
    if (r.observedIsolation) status = { ...status, observedIsolation: r.observedIsolation };
    if (r.state === 'Running') phase = 'Running';
    else if (r.state === 'Exited') phase = r.exitCode === 0 ? 'Succeeded' : 'Failed';
    else if (r.state === 'Failed') phase = 'Failed';
    // Waiting/Pulling/Creating keep the phase, with the reason of a retry if any.
    if (phase === 'Failed') {
      const reason = r.reason ?? (r.state === 'Exited' ? 'exited' : 'failed');
      const message = r.message ?? TERMINAL_NOTE[reason] ?? (r.state === 'Exited' ? `exited with code ${r.exitCode}` : reason);
      status = { ...status, reason, message };
    } else if (r.reason && r.state === 'Waiting') {
      status = { ...status, reason: r.reason, ...(r.message ? { message: r.message } : {}) };
    } else {
      const { reason: _r, message: _m, ...rest } = status;
      status = rest as WorkloadStatus;
    }
    status = { ...status, phase, conditions: setCondition(status.conditions, cond('Ready', phase === 'Running' ? 'True' : 'False', r.state.toLowerCase(), describe(r, restart), at)) };
    if (phase === w.phase && JSON.stringify(status) === JSON.stringify(w.status)) return { applied: true };
    await tx.workloads.update(w.id, { phase, status, updatedAt: at });
    if (phase !== w.phase || r.state === 'Pulling' || r.reason) {
      await tx.events.append({
        type: `pod.${phase === w.phase ? r.state.toLowerCase() : phase.toLowerCase()}`,
        accountId: w.accountId,
        subjectKind: 'Pod',
        subjectId: w.id,
        subjectName: w.name,
        subnetId: w.subnetId,
        message: `pod ${w.name}: ${describe(r, restart)}`,
        data: { state: r.state, ...(r.reason ? { reason: r.reason } : {}), ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}) },
      });
    }
    if (phase !== w.phase) await touchOwner(tx, w, at);
    return { applied: true };
  });
  if (!out.applied) return out;
  deps.kick();
  return out;
}

async function touchOwner(tx: Repos, pod: WorkloadRow, at: string): Promise<void> {
  if (!pod.ownerId) return;
  const owner = await tx.workloads.get(pod.ownerId);
  const subnet = owner && (await tx.subnets.get(owner.subnetId));
  if (owner && subnet && !owner.deletedAt) await reconcileOwner(tx, owner, subnet, at);
}

function describe(r: PodStatusReport, restart: string): string {
  switch (r.state) {
    case 'Running':
      return (r.restartCount ?? 0) > 0 ? `running (restarted ${r.restartCount} times, policy ${restart})` : 'running';
    case 'Exited':
      return `exited with code ${r.exitCode ?? '?'}`;
    case 'Failed':
      return `failed: ${r.reason ?? 'unknown'}${r.message ? ` (${r.message})` : ''}`;
    default:
      return `${r.state.toLowerCase()}${r.reason ? `: ${r.reason}` : ''}${r.message ? ` (${r.message})` : ''}`;
  }
}

