import { IdylError } from '../../../api/errors.js';
import type { CapabilityReport, NodeInfo } from '../../../api/node.js';
import type { HeartbeatResult, JoinResult } from '../../../api/wire.js';
import { decideAdmission } from '../../../policy/admission.js';
import type { Actor, Principal } from '../../auth/principal.js';
import { hashSecret, newId, newSecret } from '../../ids.js';
import type { NodeRow, SubnetRow } from '../../store/rows.js';
import type { Repos } from '../../store/store.js';
import { nodeAdmitted } from '../admission.js';
import { audit } from '../audit.js';
import { isoNow, type ServiceDeps } from '../deps.js';
import { findSubnet } from '../subnets.js';
import { unbindNodePods } from '../unbind.js';
import { nodeView } from '../views.js';
import { checkReport, conditionsOf } from './report.js';

/** Nodes: join, reads, removal, credentials and heartbeats. */
export class NodesService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Registers a node whose host checks passed; returns its own credential once. */
  async join(actor: Actor, req: { subnet: string; name?: string; fleet?: string; report: unknown }): Promise<JoinResult> {
    const report = checkReport(req.report);
    if (!report.verified) {
      const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
      throw new IdylError('validation_failed', `report.verified: the host checks for ${report.runtimeProfile} failed: ${failed.join(', ')}`, { field: 'report.verified', failed });
    }
    const s = await findSubnet(this.deps.store.read, req.subnet);
    if (req.fleet) {
      const f = await this.deps.store.read.fleets.get(req.fleet);
      if (!f || f.accountId !== actor.accountId) throw new IdylError('not_found', `no fleet ${req.fleet} in account ${actor.accountId}`, { field: 'fleet' });
    }
    const id = newId('node');
    const entries = await this.deps.store.read.admission.list(s.id);
    const granted = entries.some((e) => e.type === 'provider' && e.state === 'granted' && e.subjectKind === 'fleet' && e.subjectId === req.fleet);
    const verdict = decideAdmission({ mode: s.providerMode, isOwner: actor.accountId === s.accountId, granted, requested: false });
    if (!verdict.admitted && !verdict.record) {
      await this.deps.store.transaction((tx) =>
        audit(tx, { principal: actor.principal, peerAccountId: s.accountId, action: 'admission.provider', target: s.slug, allowed: false, reason: verdict.why, subnetId: s.id }),
      );
      throw new IdylError('not_admitted', `subnet ${s.name ?? s.slug} does not admit this node: ${verdict.why}`, { hint: 'ask the subnet owner to grant your fleet (--provider-fleet) before joining' });
    }
    const at = isoNow(this.deps);
    const secret = newSecret('node');
    const row: NodeRow = {
      id,
      name: req.name ?? id,
      accountId: actor.accountId,
      ...(req.fleet ? { fleetId: req.fleet } : {}),
      subnetId: s.id,
      runtimeProfile: report.runtimeProfile,
      report,
      // Connected only once its agent heartbeats: `node join` without --start runs no agent (field case 4).
      connected: false,
      conditions: conditionsOf(report.runtimeProfile, report, [], at),
      createdAt: at,
      updatedAt: at,
      version: 0,
    };
    await this.deps.store.transaction(async (tx) => {
      await tx.nodes.insert(row);
      await tx.tokens.insert({ id: newId('tok'), accountId: actor.accountId, nodeId: id, kind: 'node', name: `node ${row.name}`, secretHash: hashSecret(secret), createdAt: at });
      if (!verdict.admitted) await tx.admission.put({ subnetId: s.id, type: 'provider', subjectKind: 'node', subjectId: id, state: 'requested', at });
      await audit(tx, { principal: actor.principal, peerAccountId: s.accountId, action: 'admission.provider', target: `${s.slug}/node/${id}`, allowed: verdict.admitted, reason: verdict.admitted ? verdict.why : 'joined pending admission; request recorded', subnetId: s.id });
      await audit(tx, { principal: actor.principal, action: 'node.credential.issue', target: id, allowed: true, reason: 'node joined' });
      await tx.events.append({ type: 'node.registered', accountId: actor.accountId, peerAccountId: s.accountId, subjectKind: 'node', subjectId: id, subjectName: row.name, subnetId: s.id, message: `node ${row.name} joined ${s.name ?? s.slug} as ${report.runtimeProfile}`, data: { runtimeProfile: report.runtimeProfile, verified: report.verified } });
    });
    this.deps.kick();
    return { node: await this.view(row, s), credential: secret, heartbeatIntervalMs: this.deps.settings.heartbeatIntervalMs };
  }

  /** The node's provider account, or the owner of its subnet, may see it; a node sees itself. */
  async get(principal: Principal, accountId: string, id: string): Promise<NodeInfo> {
    const n = await this.deps.store.read.nodes.get(id);
    const s = n && (await this.deps.store.read.subnets.get(n.subnetId));
    const mayRead = n && s && (principal.kind === 'node' ? principal.nodeId === n.id : n.accountId === accountId || s.accountId === accountId);
    if (!n || !s || !mayRead) throw new IdylError('not_found', `no node ${id}`);
    return this.view(n, s);
  }

  /** Nodes the account provides, plus those in subnets it owns; optionally of one subnet. */
  async list(actor: Actor, subnetRef: string | undefined): Promise<NodeInfo[]> {
    const owned = await this.deps.store.read.subnets.listByAccount(actor.accountId);
    let nodes = [...(await this.deps.store.read.nodes.list({ accountId: actor.accountId })), ...(await this.deps.store.read.nodes.list({ subnetIds: owned.map((s) => s.id) }))];
    nodes = [...new Map(nodes.map((n) => [n.id, n])).values()];
    if (subnetRef) {
      const s = await findSubnet(this.deps.store.read, subnetRef);
      nodes = nodes.filter((n) => n.subnetId === s.id);
    }
    const subnets = new Map<string, SubnetRow | undefined>();
    const out: NodeInfo[] = [];
    for (const n of nodes) {
      if (!subnets.has(n.subnetId)) subnets.set(n.subnetId, await this.deps.store.read.subnets.get(n.subnetId));
      const s = subnets.get(n.subnetId);
      if (s) out.push(await this.view(n, s));
    }
    return out;
  }

  /** Removes a node: its pods are placed anew elsewhere and its credential stops working. */
  async delete(actor: Actor, id: string): Promise<NodeInfo> {
    const n = await this.deps.store.read.nodes.get(id);
    const s = n && (await this.deps.store.read.subnets.get(n.subnetId));
    if (!n || !s || (n.accountId !== actor.accountId && s.accountId !== actor.accountId)) {
      if (n) await this.deps.store.transaction((tx) => audit(tx, { principal: actor.principal, peerAccountId: n.accountId, action: 'node.credential.revoke', target: id, allowed: false, reason: 'node delete by an account that neither provides the node nor owns its subnet' }));
      throw new IdylError('not_found', `no node ${id}`);
    }
    const view = await this.view(n, s);
    await this.deps.store.transaction(async (tx) => {
      const at = isoNow(this.deps);
      await unbindNodePods(tx, id, 'node_lost', `node ${n.name} was removed`, at);
      await tx.tokens.revokeForNode(id, at);
      await tx.admission.delete(s.id, 'provider', 'node', id);
      await tx.nodes.delete(id);
      await audit(tx, { principal: actor.principal, action: 'node.credential.revoke', target: id, allowed: true, reason: 'node removed' });
      await tx.events.append({ type: 'node.removed', accountId: n.accountId, peerAccountId: s.accountId, subjectKind: 'node', subjectId: id, subjectName: n.name, subnetId: s.id, message: `node ${n.name} removed` });
    });
    this.deps.kick();
    return view;
  }

  /** A new credential for the node; the old ones stop working at once. */
  async rotate(principal: Principal, accountId: string, id: string): Promise<{ credential: string }> {
    const n = await this.deps.store.read.nodes.get(id);
    if (!n || (principal.kind === 'node' ? principal.nodeId !== id : n.accountId !== accountId)) {
      if (n) await this.deps.store.transaction((tx) => audit(tx, { principal, peerAccountId: n.accountId, action: 'node.credential.rotate', target: id, allowed: false, reason: 'only the node or its provider may rotate its credential' }));
      throw new IdylError('not_found', `no node ${id}`);
    }
    const secret = newSecret('node');
    await this.deps.store.transaction(async (tx) => {
      const at = isoNow(this.deps);
      await tx.tokens.revokeForNode(id, at);
      await tx.tokens.insert({ id: newId('tok'), accountId: n.accountId, nodeId: id, kind: 'node', name: `node ${n.name}`, secretHash: hashSecret(secret), createdAt: at });
      await audit(tx, { principal, accountId: n.accountId, action: 'node.credential.rotate', target: id, allowed: true, reason: principal.kind === 'node' ? 'rotated by the node' : 'rotated by its provider' });
    });
    return { credential: secret };
  }

  /**
   * A heartbeat; with a report that differs, the node is evaluated again (field cases 3, 22).
   * A report that does not validate is refused and the heartbeat is not recorded.
   */
  async heartbeat(nodeId: string, rawReport: unknown): Promise<HeartbeatResult> {
    const at = isoNow(this.deps);
    const before = await this.deps.store.read.nodes.get(nodeId);
    if (!before) throw new IdylError('not_found', `no node ${nodeId}`);
    // A refused report refuses the whole heartbeat before it counts as liveness: a node
    // whose every heartbeat is refused goes silent (src/server/README.md).
    const report = rawReport === undefined ? undefined : checkReport(rawReport);
    const seen = await this.deps.store.read.nodes.heartbeat(nodeId, at);
    let changed = !seen?.wasConnected;
    if (!seen?.wasConnected) {
      await this.deps.store.transaction((tx) => tx.events.append({ type: 'node.connected', accountId: before.accountId, subjectKind: 'node', subjectId: nodeId, subjectName: before.name, subnetId: before.subnetId, message: `node ${before.name} connected` }));
    }
    if (report !== undefined) {
      if (JSON.stringify(report) !== JSON.stringify(before.report)) {
        await this.deps.store.transaction(async (tx) => {
          const conditions = conditionsOf(before.runtimeProfile, report, before.conditions, at);
          await tx.nodes.update(nodeId, { report, conditions, updatedAt: at });
          await tx.events.append({ type: 'node.capability_changed', accountId: before.accountId, subjectKind: 'node', subjectId: nodeId, subjectName: before.name, subnetId: before.subnetId, message: describeChange(before.report, report), data: { verified: report.verified, failed: report.checks.filter((c) => !c.ok).map((c) => c.name) } });
        });
        changed = true;
      }
    }
    if (changed) this.deps.kick();
    const s = await this.deps.store.read.subnets.get(before.subnetId);
    const entries = s ? await this.deps.store.read.admission.list(s.id) : [];
    return {
      state: s && nodeAdmitted(s, before, entries) ? 'connected' : 'pending-admission',
      heartbeatIntervalMs: this.deps.settings.heartbeatIntervalMs,
      revision: await this.deps.store.read.events.latestRevision(),
    };
  }

  async view(n: NodeRow, s: SubnetRow, tx: Repos = this.deps.store.read): Promise<NodeInfo> {
    const entries = await tx.admission.list(s.id);
    const alloc = (await tx.workloads.allocations([n.id])).get(n.id);
    return nodeView(n, s, nodeAdmitted(s, n, entries), isConnected(n, this.deps.now(), this.deps.settings.heartbeatTimeoutMs), alloc);
  }
}

/** Connected: a heartbeat within the timeout. */
export function isConnected(n: NodeRow, now: Date, timeoutMs: number): boolean {
  return n.connected && !!n.lastHeartbeatAt && now.getTime() - Date.parse(n.lastHeartbeatAt) <= timeoutMs;
}

function describeChange(a: CapabilityReport | undefined, b: CapabilityReport): string {
  const failedA = new Set(a?.checks.filter((c) => !c.ok).map((c) => c.name) ?? []);
  const failedB = b.checks.filter((c) => !c.ok).map((c) => c.name);
  const newly = failedB.filter((n) => !failedA.has(n));
  const fixed = [...failedA].filter((n) => !failedB.includes(n));
  const parts = [];
  if (newly.length) parts.push(`checks failing: ${newly.join(', ')}`);
  if (fixed.length) parts.push(`checks passing again: ${fixed.join(', ')}`);
  if ((a?.gpus.length ?? 0) !== b.gpus.length) parts.push(`GPUs: ${a?.gpus.length ?? 0} → ${b.gpus.length}`);
  return `capabilities changed${parts.length ? `: ${parts.join('; ')}` : ''}${b.verified ? '' : ' (unverified)'}`;
}
