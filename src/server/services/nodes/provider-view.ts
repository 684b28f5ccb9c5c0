import { IdylError } from '../../../api/errors.js';
import type { PodSpec } from '../../../api/schemas/workload.js';
import type { ProviderPodView } from '../../../api/wire.js';
import type { Actor } from '../../auth/principal.js';
import type { NodeRow, WorkloadRow } from '../../store/rows.js';
import { audit } from '../audit.js';
import type { ServiceDeps } from '../deps.js';

/** What the pod's owner shares with the provider of the node it runs on. */
export function sharedWithProvider(w: WorkloadRow): readonly ('logs' | 'env')[] {
  return (w.spec as PodSpec).shareWithProvider ?? [];
}

/** A pod as its node's provider sees it: env values only when shared. */
export function providerPodView(w: WorkloadRow): ProviderPodView {
  const spec = w.spec as PodSpec;
  const shared = sharedWithProvider(w);
  return {
    id: w.id,
    name: w.name,
    accountId: w.accountId,
    phase: w.phase,
    isolation: w.isolation,
    containers: spec.containers.map((c) => ({
      ...(c.name ? { name: c.name } : {}),
      image: c.imageDigest ? `${c.imageURI}@${c.imageDigest}` : c.imageURI,
      ...(shared.includes('env') && c.env ? { env: c.env.map((e) => ({ name: e.name, value: e.value })) } : {}),
    })),
    shared,
    createdAt: w.createdAt,
  };
}

/**
 * The provider's view of its own nodes (docs/access.md): which pods run there, and
 * their logs when the owner shares them. Only the node's provider account may look;
 * anyone else is told the node does not exist.
 */
export class ProviderViewService {
  constructor(private readonly deps: ServiceDeps) {}

  /** The pods bound to the node (being deleted ones excluded). */
  async pods(actor: Actor, nodeId: string): Promise<ProviderPodView[]> {
    const n = await this.ownNode(actor, nodeId);
    return (await this.deps.store.read.workloads.list({ nodeId: n.id })).map(providerPodView);
  }

  /** The pod whose logs the provider asks for, when it runs on the node and its owner shares logs. */
  async podForLogs(actor: Actor, nodeId: string, podId: string): Promise<WorkloadRow> {
    const n = await this.ownNode(actor, nodeId);
    const w = await this.deps.store.read.workloads.get(podId);
    if (!w || w.kind !== 'Pod' || w.nodeId !== n.id) throw new IdylError('not_found', `no pod ${podId} on node ${n.name}`);
    if (!sharedWithProvider(w).includes('logs')) {
      await this.deps.store.transaction((tx) =>
        audit(tx, { principal: actor.principal, peerAccountId: w.accountId, action: 'pod.logs.provider', target: w.id, allowed: false, reason: 'the owner does not share logs with the provider' }),
      );
      throw new IdylError('forbidden', `the owner of pod ${w.name} does not share its logs with the node's provider`, {
        hint: 'the owner can share them with spec.shareWithProvider: [logs] (idyl run --share-with-provider logs)',
      });
    }
    return w;
  }

  private async ownNode(actor: Actor, nodeId: string): Promise<NodeRow> {
    const n = await this.deps.store.read.nodes.get(nodeId);
    if (!n || n.accountId !== actor.accountId) throw new IdylError('not_found', `no node ${nodeId} in account ${actor.accountId}`);
    return n;
  }
}
