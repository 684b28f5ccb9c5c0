import { IdylError } from '../../api/errors.js';
import type { Subnet } from '../../api/subnet.js';
import type { Approval, PolicyEffects, SubnetEditResult } from '../../api/wire.js';
import type { CreateSubnetRequest, EditSubnetRequest } from '../../api/schemas/requests.js';
import type { Condition } from '../../api/workload.js';
import type { Actor } from '../auth/principal.js';
import { newId, newSubnetSlug } from '../ids.js';
import type { SubnetRow, WorkloadRow } from '../store/rows.js';
import { UniqueViolation, type Repos } from '../store/store.js';
import { audit } from './audit.js';
import { isoNow, type ServiceDeps } from './deps.js';
import { applyRuntimePolicyPatch, planPolicyChange, validateRuntimePolicy } from './policy-port.js';
import type { PodSpec } from '../../api/schemas/workload.js';
import { subnetView } from './views.js';

/** Finds a subnet by slug or bound name, or refuses with `subnet_not_found`. */
export async function findSubnet(tx: Repos, ref: string): Promise<SubnetRow> {
  const s = await tx.subnets.find(ref);
  if (!s) throw new IdylError('subnet_not_found', `no subnet "${ref}"`, { hint: 'list your subnets with `idyl subnet get`' });
  return s;
}

/** Refuses unless the acting account owns the subnet. */
export function requireOwner(actor: Actor, s: SubnetRow): void {
  if (s.accountId !== actor.accountId) throw new IdylError('forbidden', `subnet ${s.name ?? s.slug} belongs to another account; only its owner may change it`);
}

/** Subnets, their runtime policy (isolation.md sections 2 and 8) and deploy approvals. */
export class SubnetsService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(actor: Actor, req: CreateSubnetRequest): Promise<Subnet> {
    const policy = validateRuntimePolicy(req.runtimePolicy ?? {});
    if (!policy.ok) {
      // Audited like a refusal at `subnet edit`; there is no subnet yet to name, so its name (or region).
      const target = req.name ?? `new subnet in ${req.region}`;
      await this.deps.store.transaction((tx) => audit(tx, { principal: actor.principal, action: 'subnet.policy.set', target, allowed: false, reason: policy.error.message }));
      throw policy.error;
    }
    const at = isoNow(this.deps);
    for (let attempt = 0; ; attempt++) {
      const row: SubnetRow = {
        id: newId('sn'),
        slug: newSubnetSlug(),
        ...(req.name ? { name: req.name } : {}),
        region: req.region,
        accountId: actor.accountId,
        ...(policy.value ? { runtimePolicy: policy.value } : {}),
        // Secure defaults: only the owner deploys and only the owner's nodes join.
        developerMode: 'invite',
        providerMode: 'invite',
        createdAt: at,
        updatedAt: at,
      };
      try {
        return await this.deps.store.transaction(async (tx) => {
          if (req.name && (await tx.subnets.find(req.name))) throw new IdylError('conflict', `the subnet name "${req.name}" is taken`);
          await tx.subnets.insert(row);
          await tx.approvals.put({ accountId: actor.accountId, subnetId: row.id, at });
          await tx.events.append({ type: 'subnet.created', accountId: actor.accountId, subjectKind: 'subnet', subjectId: row.id, subjectName: row.name ?? row.slug, subnetId: row.id, message: `subnet ${row.slug} created in ${row.region}`, data: { runtimePolicy: row.runtimePolicy ?? null } });
          await audit(tx, { principal: actor.principal, action: 'subnet.policy.set', target: row.slug, allowed: true, reason: row.runtimePolicy ? JSON.stringify(row.runtimePolicy) : 'no runtime policy', subnetId: row.id });
          return subnetView(row, []);
        });
      } catch (err) {
        // A slug collision is retried with a new slug; a name collision is the user's.
        if (err instanceof UniqueViolation && attempt < 5 && !(req.name && (await this.deps.store.read.subnets.find(req.name)))) continue;
        if (err instanceof UniqueViolation) throw new IdylError('conflict', `the subnet name "${req.name}" is taken`);
        throw err;
      }
    }
  }

  async list(actor: Actor): Promise<Subnet[]> {
    const rows = await this.deps.store.read.subnets.listByAccount(actor.accountId);
    return Promise.all(rows.map(async (s) => subnetView(s, await this.deps.store.read.admission.list(s.id))));
  }

  /** Any account may look a subnet up (to deploy into it); grants are shown to the owner only. */
  async get(actor: Actor, ref: string): Promise<Subnet> {
    const s = await findSubnet(this.deps.store.read, ref);
    return subnetView(s, s.accountId === actor.accountId ? await this.deps.store.read.admission.list(s.id) : undefined);
  }

  /** Changes the policy; Pending pods it no longer allows fail, Running ones are marked (section 8). */
  async edit(actor: Actor, ref: string, req: EditSubnetRequest): Promise<SubnetEditResult> {
    const s = await findSubnet(this.deps.store.read, ref);
    if (s.accountId !== actor.accountId) {
      await this.deps.store.transaction((tx) => audit(tx, { principal: actor.principal, peerAccountId: s.accountId, action: 'subnet.policy.set', target: s.slug, allowed: false, reason: 'not the subnet owner', subnetId: s.id }));
      requireOwner(actor, s);
    }
    const next = req.runtimePolicy === undefined ? { ok: true as const, value: s.runtimePolicy } : applyRuntimePolicyPatch(s.runtimePolicy, req.runtimePolicy);
    if (!next.ok) {
      await this.deps.store.transaction((tx) => audit(tx, { principal: actor.principal, action: 'subnet.policy.set', target: s.slug, allowed: false, reason: next.error.message, subnetId: s.id }));
      throw next.error;
    }
    const result = await this.deps.store.transaction(async (tx) => {
      const at = isoNow(this.deps);
      await tx.subnets.update(s.id, { runtimePolicy: next.value ?? null, updatedAt: at });
      const updated: SubnetRow = { ...s, runtimePolicy: next.value, updatedAt: at };
      if (!next.value) delete (updated as { runtimePolicy?: unknown }).runtimePolicy;
      const affected = await this.applyPolicy(tx, updated, at);
      await tx.events.append({ type: 'subnet.policy_changed', accountId: actor.accountId, subjectKind: 'subnet', subjectId: s.id, subjectName: s.name ?? s.slug, subnetId: s.id, message: `runtime policy of ${s.name ?? s.slug} changed`, data: { runtimePolicy: next.value ?? null, affected } });
      await audit(tx, { principal: actor.principal, action: 'subnet.policy.set', target: s.slug, allowed: true, reason: next.value ? JSON.stringify(next.value) : 'runtime policy cleared', subnetId: s.id });
      return { subnet: subnetView(updated, await tx.admission.list(s.id)), affected };
    });
    this.deps.kick();
    return result;
  }

  /**
   * Applies a new policy to the subnet's live workloads (section 8): Pending pods it
   * no longer allows fail, Running ones keep running with `PolicyNonCompliant`, and a
   * stale mark is cleared from those it allows again. Returns the counts (pods).
   */
  private async applyPolicy(tx: Repos, s: SubnetRow, at: string): Promise<PolicyEffects> {
    const live = await tx.workloads.list({ subnetId: s.id, phases: ['Pending', 'Running'] });
    const pods = live.filter((w) => w.kind === 'Pod');
    const plan = planPolicyChange(
      s.runtimePolicy,
      pods.map((w) => ({ id: w.id, phase: w.phase, isolation: w.isolation, gpu: (w.spec as PodSpec).gpu !== undefined, ...(w.status.placement?.vmmBackend ? { vmmBackend: w.status.placement.vmmBackend } : {}) })),
    );
    const byId = new Map(live.map((w) => [w.id, w]));
    for (const { id, violation } of plan.fail) {
      const w = byId.get(id) as WorkloadRow;
      // A failed pod is no longer waiting for a node: its old diagnosis would read as the reason.
      const { unschedulable: _stale, ...status } = w.status;
      await tx.workloads.update(w.id, {
        phase: 'Failed',
        status: { ...status, phase: 'Failed', reason: violation.code, message: violation.message, conditions: setCondition(w.status.conditions, cond('Unschedulable', 'False', violation.code, violation.message, at)) },
        updatedAt: at,
      });
      if (w.nodeId) await tx.events.append({ type: 'pod.unassigned', nodeId: w.nodeId, subjectKind: 'Pod', subjectId: w.id, subjectName: w.name, message: `${w.name} failed: ${violation.message}`, data: { podId: w.id, attempt: w.attempt, reason: violation.code } });
      await tx.events.append({ type: 'workload.failed', accountId: w.accountId, subjectKind: w.kind, subjectId: w.id, subjectName: w.name, subnetId: s.id, message: `pod ${w.name} failed: ${violation.message}`, data: { reason: violation.code } });
    }
    for (const { id, violation } of plan.nonCompliant) {
      const w = byId.get(id) as WorkloadRow;
      if (hasCondition(w, 'PolicyNonCompliant')) continue;
      await tx.workloads.update(w.id, { status: { ...w.status, conditions: setCondition(w.status.conditions, cond('PolicyNonCompliant', 'True', violation.code, `${violation.message}; it keeps running`, at)) }, updatedAt: at });
      await tx.events.append({ type: 'workload.policy_noncompliant', accountId: w.accountId, subjectKind: w.kind, subjectId: w.id, subjectName: w.name, subnetId: s.id, message: `pod ${w.name}: ${violation.message}; it keeps running` });
    }
    for (const w of live) {
      const stillMarked = plan.nonCompliant.some((n) => n.id === w.id);
      if (!stillMarked && w.kind === 'Pod' && hasCondition(w, 'PolicyNonCompliant')) {
        await tx.workloads.update(w.id, { status: { ...w.status, conditions: w.status.conditions.filter((c) => c.type !== 'PolicyNonCompliant') }, updatedAt: at });
      }
    }
    return plan.effects;
  }

  async delete(actor: Actor, ref: string): Promise<Subnet> {
    const s = await findSubnet(this.deps.store.read, ref);
    if (s.accountId !== actor.accountId) {
      await this.deps.store.transaction((tx) => audit(tx, { principal: actor.principal, peerAccountId: s.accountId, action: 'subnet.delete', target: s.slug, allowed: false, reason: 'not the subnet owner', subnetId: s.id }));
      requireOwner(actor, s);
    }
    return this.deps.store.transaction(async (tx) => {
      const live = await tx.workloads.list({ subnetId: s.id, phases: ['Pending', 'Running'], includeDeleting: true });
      if (live.length > 0) throw new IdylError('conflict', `subnet ${s.name ?? s.slug} still has ${live.length} live workload(s)`, { hint: 'delete them first (`idyl get pods`, `idyl delete`)' });
      const nodes = await tx.nodes.list({ subnetId: s.id });
      if (nodes.length > 0) throw new IdylError('conflict', `subnet ${s.name ?? s.slug} still has ${nodes.length} node(s)`, { hint: 'remove them with `idyl node delete`' });
      for (const w of await tx.workloads.list({ subnetId: s.id, includeDeleting: true })) await tx.workloads.delete(w.id);
      await tx.subnets.delete(s.id);
      await tx.events.append({ type: 'subnet.deleted', accountId: actor.accountId, subjectKind: 'subnet', subjectId: s.id, subjectName: s.name ?? s.slug, message: `subnet ${s.name ?? s.slug} deleted` });
      await audit(tx, { principal: actor.principal, action: 'subnet.delete', target: s.slug, allowed: true, reason: 'deleted by its owner' });
      return subnetView(s, []);
    });
  }

  async approve(actor: Actor, ref: string, approved: boolean): Promise<Approval> {
    const s = await findSubnet(this.deps.store.read, ref);
    return this.deps.store.transaction(async (tx) => {
      const at = isoNow(this.deps);
      if (approved) await tx.approvals.put({ accountId: actor.accountId, subnetId: s.id, at });
      else await tx.approvals.delete(actor.accountId, s.id);
      await audit(tx, { principal: actor.principal, action: approved ? 'subnet.approve' : 'subnet.unapprove', target: s.slug, allowed: true, reason: 'account deploy approval', subnetId: s.id });
      return { subnetSlug: s.slug, accountId: actor.accountId, at };
    });
  }

  async approvals(actor: Actor): Promise<Approval[]> {
    const rows = await this.deps.store.read.approvals.listByAccount(actor.accountId);
    const out: Approval[] = [];
    for (const r of rows) {
      const s = await this.deps.store.read.subnets.get(r.subnetId);
      if (s) out.push({ subnetSlug: s.slug, accountId: r.accountId, at: r.at });
    }
    return out;
  }
}

function hasCondition(w: WorkloadRow, type: string): boolean {
  return w.status.conditions.some((c) => c.type === type && c.status === 'True');
}

/** A condition value. */
export function cond(type: string, status: 'True' | 'False', reason: string, message: string, at: string): Condition {
  return { type, status, reason, message, lastTransitionTime: at };
}

/** Replaces the condition of the same type (keeping its transition time when unchanged). */
export function setCondition(list: readonly Condition[], c: Condition): Condition[] {
  const old = list.find((x) => x.type === c.type);
  const kept = old && old.status === c.status && old.reason === c.reason && old.message === c.message ? old : c;
  return [...list.filter((x) => x.type !== c.type), kept];
}
