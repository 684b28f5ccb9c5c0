import { IdylError } from '../../api/errors.js';
import type { AdmissionMode, AdmissionType, SubnetAdmission } from '../../api/subnet.js';
import type { AdmissionGrantRequest } from '../../api/schemas/requests.js';
import { decideAdmission } from '../../policy/admission.js';
import type { Actor, Principal } from '../auth/principal.js';
import type { AdmissionRow, NodeRow, SubnetRow } from '../store/rows.js';
import type { Repos } from '../store/store.js';
import { audit } from './audit.js';
import { isoNow, type ServiceDeps } from './deps.js';
import { findSubnet, requireOwner } from './subnets.js';
import { unbindNodePods } from './unbind.js';

/** True when the subnet admits the node as provider capacity. */
export function nodeAdmitted(s: SubnetRow, n: Pick<NodeRow, 'id' | 'accountId' | 'fleetId'>, entries: readonly AdmissionRow[]): boolean {
  return decideAdmission({
    mode: s.providerMode,
    isOwner: n.accountId === s.accountId,
    granted: entries.some((e) => e.type === 'provider' && e.state === 'granted' && ((e.subjectKind === 'node' && e.subjectId === n.id) || (e.subjectKind === 'fleet' && e.subjectId === n.fleetId))),
    requested: false,
  }).admitted;
}

/**
 * True when the subnet admits the account's work now (its owner, open mode, or a
 * grant). The planner asks before every placement, so a revoked grant also stops
 * the replicas, restarts and reschedules of work accepted earlier (field case 23).
 */
export function accountAdmitted(s: SubnetRow, accountId: string, entries: readonly AdmissionRow[]): boolean {
  return decideAdmission({
    mode: s.developerMode,
    isOwner: accountId === s.accountId,
    granted: entries.some((e) => e.type === 'developer' && e.state === 'granted' && e.subjectKind === 'account' && e.subjectId === accountId),
    requested: false,
  }).admitted;
}

/**
 * The developer gate for one deploy attempt: records a request in approval mode
 * (in its own transaction, so a refusal still leaves it) and audits the decision.
 */
export async function checkDeveloperAdmission(deps: ServiceDeps, principal: Principal, accountId: string, s: SubnetRow): Promise<'owner' | 'open' | 'granted'> {
  const store = deps.store;
  const entry = await store.read.admission.get(s.id, 'developer', 'account', accountId);
  const verdict = decideAdmission({ mode: s.developerMode, isOwner: accountId === s.accountId, granted: entry?.state === 'granted', requested: entry?.state === 'requested' });
  if (verdict.admitted) return verdict.why;
  await store.transaction(async (tx) => {
    if (verdict.record) await tx.admission.put({ subnetId: s.id, type: 'developer', subjectKind: 'account', subjectId: accountId, state: 'requested', at: isoNow(deps) });
    await audit(tx, { principal, accountId, peerAccountId: s.accountId, action: 'admission.developer', target: s.slug, allowed: false, reason: verdict.why, subnetId: s.id });
  });
  throw new IdylError('not_admitted', `account ${accountId} is not admitted to deploy into subnet ${s.name ?? s.slug}: ${verdict.why}`, {
    hint: s.developerMode === 'approval' ? 'ask the subnet owner to grant your request' : 'ask the subnet owner for a grant',
    mode: s.developerMode,
  });
}

/** Admission modes, grants and requests of subnets (system.md, "Who may do what"). */
export class AdmissionService {
  constructor(private readonly deps: ServiceDeps) {}

  async get(actor: Actor, ref: string): Promise<SubnetAdmission> {
    const s = await findSubnet(this.deps.store.read, ref);
    requireOwner(actor, s);
    return this.view(s, await this.deps.store.read.admission.list(s.id));
  }

  async setMode(actor: Actor, ref: string, type: string, mode: AdmissionMode): Promise<SubnetAdmission> {
    if (type !== 'developer' && type !== 'provider') throw new IdylError('validation_failed', 'type: must be developer or provider', { field: 'type', allowed: ['developer', 'provider'] });
    const s = await this.ownedOrAudited(actor, ref, `admission.${type}.mode`);
    const out = await this.deps.store.transaction(async (tx) => {
      const at = isoNow(this.deps);
      await tx.subnets.update(s.id, type === 'developer' ? { developerMode: mode, updatedAt: at } : { providerMode: mode, updatedAt: at });
      const updated: SubnetRow = type === 'developer' ? { ...s, developerMode: mode } : { ...s, providerMode: mode };
      await audit(tx, { principal: actor.principal, action: `admission.${type}.mode`, target: s.slug, allowed: true, reason: `mode ${mode}`, subnetId: s.id });
      if (type === 'provider') await this.drainUnadmitted(tx, updated, at);
      return this.view(updated, await tx.admission.list(s.id));
    });
    this.deps.kick();
    return out;
  }

  async grant(actor: Actor, ref: string, req: AdmissionGrantRequest): Promise<SubnetAdmission> {
    const target = this.target(req);
    const s = await this.ownedOrAudited(actor, ref, `admission.${target.type}.grant`);
    const out = await this.deps.store.transaction(async (tx) => {
      await this.checkTargetExists(tx, s, target.kind, target.id);
      const at = isoNow(this.deps);
      await tx.admission.put({ subnetId: s.id, type: target.type, subjectKind: target.kind, subjectId: target.id, state: 'granted', at });
      await audit(tx, { principal: actor.principal, action: `admission.${target.type}.grant`, target: `${s.slug}/${target.kind}/${target.id}`, allowed: true, reason: 'granted by the subnet owner', subnetId: s.id });
      return this.view(s, await tx.admission.list(s.id));
    });
    this.deps.kick();
    return out;
  }

  async revoke(actor: Actor, ref: string, kind: string, id: string): Promise<SubnetAdmission> {
    if (kind !== 'account' && kind !== 'fleet' && kind !== 'node') throw new IdylError('validation_failed', 'kind: must be account, fleet or node', { field: 'kind', allowed: ['account', 'fleet', 'node'] });
    const type: AdmissionType = kind === 'account' ? 'developer' : 'provider';
    const s = await this.ownedOrAudited(actor, ref, `admission.${type}.revoke`);
    const out = await this.deps.store.transaction(async (tx) => {
      const removed = await tx.admission.delete(s.id, type, kind, id);
      if (!removed) throw new IdylError('not_found', `no ${type} admission for ${kind} ${id} in subnet ${s.name ?? s.slug}`);
      const at = isoNow(this.deps);
      await audit(tx, { principal: actor.principal, action: `admission.${type}.revoke`, target: `${s.slug}/${kind}/${id}`, allowed: true, reason: 'revoked by the subnet owner', subnetId: s.id });
      if (type === 'provider') await this.drainUnadmitted(tx, s, at);
      return this.view(s, await tx.admission.list(s.id));
    });
    this.deps.kick();
    return out;
  }

  /** Nodes that lost admission are drained: their pods are placed anew elsewhere. */
  private async drainUnadmitted(tx: Repos, s: SubnetRow, at: string): Promise<void> {
    const entries = await tx.admission.list(s.id);
    for (const n of await tx.nodes.list({ subnetId: s.id })) {
      if (nodeAdmitted(s, n, entries)) continue;
      const moved = await unbindNodePods(tx, n.id, 'evicted', `node ${n.name} is no longer admitted to subnet ${s.name ?? s.slug}`, at);
      if (moved > 0) await tx.events.append({ type: 'node.drained', accountId: n.accountId, peerAccountId: s.accountId, subjectKind: 'node', subjectId: n.id, subjectName: n.name, subnetId: s.id, message: `node ${n.name} drained: ${moved} pod(s) placed anew` });
    }
  }

  private target(req: AdmissionGrantRequest): { type: AdmissionType; kind: AdmissionRow['subjectKind']; id: string } {
    const given = [req.developerAccount, req.providerFleet, req.providerNode].filter((v) => v !== undefined);
    if (given.length !== 1) throw new IdylError('validation_failed', 'give exactly one of developerAccount, providerFleet, providerNode', { field: '' });
    if (req.developerAccount) return { type: 'developer', kind: 'account', id: req.developerAccount };
    if (req.providerFleet) return { type: 'provider', kind: 'fleet', id: req.providerFleet };
    return { type: 'provider', kind: 'node', id: req.providerNode as string };
  }

  private async checkTargetExists(tx: Repos, s: SubnetRow, kind: AdmissionRow['subjectKind'], id: string): Promise<void> {
    const exists =
      kind === 'account' ? await tx.accounts.get(id) : kind === 'fleet' ? await tx.fleets.get(id) : (await tx.nodes.get(id))?.subnetId === s.id ? true : undefined;
    if (!exists) throw new IdylError('not_found', kind === 'node' ? `no node ${id} in subnet ${s.name ?? s.slug}` : `no ${kind} ${id}`);
  }

  private async ownedOrAudited(actor: Actor, ref: string, action: string): Promise<SubnetRow> {
    const s = await findSubnet(this.deps.store.read, ref);
    if (s.accountId !== actor.accountId) {
      await this.deps.store.transaction((tx) => audit(tx, { principal: actor.principal, peerAccountId: s.accountId, action, target: s.slug, allowed: false, reason: 'not the subnet owner', subnetId: s.id }));
      requireOwner(actor, s);
    }
    return s;
  }

  private view(s: SubnetRow, entries: readonly AdmissionRow[]): SubnetAdmission {
    return {
      developer: { mode: s.developerMode },
      provider: { mode: s.providerMode },
      entries: entries.map((e) => ({ type: e.type, subjectKind: e.subjectKind, subjectId: e.subjectId, state: e.state, at: e.at })),
    };
  }
}
