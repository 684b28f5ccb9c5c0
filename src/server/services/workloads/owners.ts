import type { RuntimePolicy } from '../../../api/subnet.js';
import type { DeploymentManifest, PodSpec, SandboxManifest } from '../../../api/schemas/workload.js';
import type { Condition, Phase } from '../../../api/workload.js';
import type { SubnetRow, WorkloadRow } from '../../store/rows.js';
import type { Repos } from '../../store/store.js';
import { checkPolicyCompliance } from '../policy-port.js';
import { cond, setCondition } from '../subnets.js';
import { newPodRow, replicaName } from './pod-rows.js';
import { podSpecPath } from './prepare.js';
import { shapePod } from './pod-shape.js';
import { markDeleting } from './delete-pod.js';

/** Failed replicas kept for inspection; older ones are removed. */
const FAILED_KEPT = 3;

/** How long an owner waits before replacing failed pods: grows with the failures. */
function backoffMs(failures: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, failures - 1), 300_000);
}

/** The frozen class is still allowed where the owner's pods would be created (field case 21). */
export function ownerStillAllowed(policy: RuntimePolicy | undefined, owner: WorkloadRow, spec: PodSpec): { ok: true } | { ok: false; message: string } {
  const violation = checkPolicyCompliance(policy, { isolation: owner.isolation, gpu: spec.gpu !== undefined });
  return violation ? { ok: false, message: violation.message } : { ok: true };
}

/**
 * Brings a Deployment's or Sandbox's pods to the wanted count: creates missing pods
 * (each checked against the subnet's current policy with the owner's frozen class),
 * removes extras, replaces failed ones after a back-off, and updates the owner's status.
 * Returns true when it changed anything.
 */
export async function reconcileOwner(tx: Repos, owner: WorkloadRow, subnet: SubnetRow, at: string): Promise<boolean> {
  const desired = owner.kind === 'Deployment' ? ((owner.spec as DeploymentManifest['spec']).replicas ?? 1) : 1;
  const template = (owner.spec as DeploymentManifest['spec'] | SandboxManifest['spec']).template;
  const pods = await tx.workloads.list({ ownerId: owner.id });
  const active = pods.filter((p) => p.phase === 'Pending' || p.phase === 'Running');
  const failed = pods.filter((p) => p.phase === 'Failed').sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
  let changed = false;
  let conditions: Condition[] = [...owner.status.conditions];

  for (const extra of failed.slice(0, Math.max(0, failed.length - FAILED_KEPT))) {
    await markDeleting(tx, extra, 'replaced', at);
    changed = true;
  }
  if (active.length > desired) {
    const surplus = [...active].sort((a, b) => (a.phase === b.phase ? b.createdAt.localeCompare(a.createdAt) : a.phase === 'Pending' ? -1 : 1)).slice(0, active.length - desired);
    for (const p of surplus) await markDeleting(tx, p, 'scaled down', at);
    changed = changed || surplus.length > 0;
  }
  let missing = desired - Math.min(active.length, desired);
  const lastFailure = failed.at(-1);
  if (missing > 0 && lastFailure && Date.parse(at) - Date.parse(lastFailure.updatedAt) < backoffMs(failed.length)) missing = 0;
  if (missing > 0) {
    const allowed = ownerStillAllowed(subnet.runtimePolicy, owner, template.spec);
    const shape = shapePod(template.spec, podSpecPath(owner.kind));
    if (!allowed.ok) {
      conditions = setCondition(conditions, cond('ReplicaFailure', 'True', 'isolation_class_not_allowed', `cannot create pods: ${allowed.message}`, at));
    } else if (shape.ok) {
      conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
      for (let i = 0; i < missing; i++) {
        const pod = newPodRow({
          accountId: owner.accountId,
          namespace: owner.namespace,
          name: owner.kind === 'Sandbox' ? `${owner.name}-pod` : replicaName(owner.name),
          subnetId: owner.subnetId,
          spec: template.spec,
          shape: shape.value,
          isolation: owner.isolation,
          ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
          ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
          ownerId: owner.id,
          at,
        });
        await tx.workloads.insert(pod);
        await tx.events.append({ type: 'workload.created', accountId: owner.accountId, subjectKind: 'Pod', subjectId: pod.id, subjectName: pod.name, subnetId: owner.subnetId, message: `pod ${pod.name} created for ${owner.kind} ${owner.name}`, data: { owner: owner.id, isolation: owner.isolation } });
      }
      changed = true;
    }
  }
  const after = changed ? await tx.workloads.list({ ownerId: owner.id }) : pods;
  const running = after.filter((p) => p.phase === 'Running').length;
  const created = after.filter((p) => p.phase === 'Pending' || p.phase === 'Running').length;
  const blocked = conditions.some((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  const phase: Phase = running >= desired ? 'Running' : blocked && created === 0 ? 'Failed' : 'Pending';
  const replicas = { desired, created, running };
  // The owner shows why its pods wait: the diagnosis of its oldest pod that fits nowhere.
  const waiting = after.filter((p) => p.phase === 'Pending' && p.status.unschedulable).sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  const unschedulable = waiting?.status.unschedulable;
  const same =
    owner.phase === phase &&
    JSON.stringify(owner.status.replicas) === JSON.stringify(replicas) &&
    JSON.stringify(owner.status.conditions) === JSON.stringify(conditions) &&
    JSON.stringify(owner.status.unschedulable) === JSON.stringify(unschedulable);
  if (!same) {
    const { unschedulable: _old, ...rest } = owner.status;
    await tx.workloads.update(owner.id, { phase, status: { ...rest, phase, replicas, conditions, ...(unschedulable ? { unschedulable } : {}) }, updatedAt: at });
    changed = true;
  }
  return changed;
}
