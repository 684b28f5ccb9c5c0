import type { SandboxManifest } from '../../api/schemas/workload.js';
import { isoNow, type ServiceDeps } from '../services/deps.js';
import { unbindNodePods } from '../services/unbind.js';
import { markDeleting } from '../services/workloads/delete-pod.js';
import { reconcileOwner } from '../services/workloads/owners.js';

/**
 * The periodic controllers: nodes that stopped heartbeating are marked
 * disconnected, and after the node-lost timeout their pods are placed anew; owners
 * (Deployments, Sandboxes) are brought to their wanted pods; Sandboxes past their
 * TTL are deleted. Returns true when something changed that the planner should see.
 */
export async function runControllers(deps: ServiceDeps): Promise<boolean> {
  let changed = false;
  const now = deps.now();
  const at = isoNow(deps);
  const store = deps.store;

  const stale = await store.read.nodes.disconnectStale(new Date(now.getTime() - deps.settings.heartbeatTimeoutMs).toISOString(), at);
  for (const n of stale) {
    await store.transaction((tx) =>
      tx.events.append({ type: 'node.disconnected', accountId: n.accountId, subjectKind: 'node', subjectId: n.id, subjectName: n.name, subnetId: n.subnetId, message: `node ${n.name} disconnected: no heartbeat for ${Math.round(deps.settings.heartbeatTimeoutMs / 1000)}s` }),
    );
    changed = true;
  }
  const lostBefore = now.getTime() - deps.settings.nodeLostTimeoutMs;
  for (const n of await store.read.nodes.list({ connected: false })) {
    if (!n.lastHeartbeatAt || Date.parse(n.lastHeartbeatAt) > lostBefore) continue;
    const live = await store.read.workloads.list({ nodeId: n.id, phases: ['Pending', 'Running'], includeDeleting: true });
    if (live.length === 0) continue;
    await store.transaction(async (tx) => {
      const moved = await unbindNodePods(tx, n.id, 'node_lost', `node ${n.name} has been disconnected since ${n.lastHeartbeatAt}`, at);
      await tx.events.append({ type: 'node.lost', accountId: n.accountId, subjectKind: 'node', subjectId: n.id, subjectName: n.name, subnetId: n.subnetId, message: `node ${n.name} lost: ${moved} pod(s) placed anew` });
    });
    changed = true;
  }

  for (const kind of ['Deployment', 'Sandbox'] as const) {
    for (const owner of await store.read.workloads.list({ kind })) {
      const expires = owner.status.expiresAt;
      if (kind === 'Sandbox' && expires && Date.parse(expires) <= now.getTime()) {
        await store.transaction(async (tx) => {
          for (const pod of await tx.workloads.list({ ownerId: owner.id })) await markDeleting(tx, pod, `sandbox ${owner.name} expired`, at);
          await tx.workloads.delete(owner.id);
          await tx.events.append({ type: 'workload.expired', accountId: owner.accountId, subjectKind: 'Sandbox', subjectId: owner.id, subjectName: owner.name, subnetId: owner.subnetId, message: `sandbox ${owner.name} expired (ttl ${(owner.spec as SandboxManifest['spec']).ttl})` });
        });
        changed = true;
        continue;
      }
      const did = await store.transaction(async (tx) => {
        const fresh = await tx.workloads.get(owner.id);
        const subnet = fresh && (await tx.subnets.get(fresh.subnetId));
        return fresh && subnet && !fresh.deletedAt ? reconcileOwner(tx, fresh, subnet, at) : false;
      });
      changed = changed || did;
    }
  }
  return changed;
}
