import { IdylError } from '../../../api/errors.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../../../api/schemas/workload.js';
import type { Workload } from '../../../api/workload.js';
import type { ApplyResult } from '../../../api/wire.js';
import type { Actor } from '../../auth/principal.js';
import { newId } from '../../ids.js';
import type { EventInsert, SubnetRow, WorkloadRow } from '../../store/rows.js';
import type { Repos } from '../../store/store.js';
import { auditEvent } from '../audit.js';
import { isoNow, type ServiceDeps } from '../deps.js';
import { workloadView } from '../views.js';
import { markDeleting } from './delete-pod.js';
import { reconcileOwner } from './owners.js';
import { newPodRow } from './pod-rows.js';
import { prepareSubmission, type Prepared } from './prepare.js';
import { withoutReadOnlyFields } from './read-only-fields.js';

/** Equal JSON values, whatever the order of object keys (a manifest's YAML may order fields its own way). */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** `pods` / `pod` / `Pod` → `Pod`. */
export function kindFromPath(text: string): WorkloadKind {
  const t = text.toLowerCase();
  for (const [kind, plural] of Object.entries(WORKLOAD_KINDS)) {
    if (t === plural || t === kind.toLowerCase()) return kind as WorkloadKind;
  }
  throw new IdylError('validation_failed', `kind: "${text}" is not a workload kind`, { field: 'kind', allowed: Object.values(WORKLOAD_KINDS) });
}

/** Workloads: submission, apply, reads and deletion. */
export class WorkloadsService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(actor: Actor, namespace: string, raw: unknown): Promise<Workload> {
    const p = await prepareSubmission(this.deps, actor, namespace, raw);
    const taken = () => new IdylError('conflict', `${p.kind} ${p.manifest.metadata.name} already exists in namespace ${namespace}`, { hint: 'use `idyl apply -f` to update it, or another name' });
    let row: WorkloadRow;
    if (p.kind === 'Pod') {
      // A pod is one row and its events: the store's one-write path (the background thread on SQLite).
      const created = this.newWorkload(actor, p);
      if (!(await this.deps.store.insertWorkload(created.row, created.events)).inserted) throw taken();
      row = created.row;
    } else {
      row = await this.deps.store.transaction(async (tx) => {
        if (await tx.workloads.getByName(actor.accountId, namespace, p.kind, p.manifest.metadata.name)) throw taken();
        return this.insert(tx, actor, p);
      });
    }
    this.deps.kick();
    return workloadView(row, p.subnet);
  }

  /**
   * Creates, or updates when the spec changed (a Deployment's pods are replaced; a Pod is
   * immutable). What `get` prints applies back: read-only fields are dropped first.
   */
  async apply(actor: Actor, namespace: string, kindText: string, name: string, raw: unknown): Promise<ApplyResult> {
    const kind = kindFromPath(kindText);
    const p = await prepareSubmission(this.deps, actor, namespace, withoutReadOnlyFields(raw));
    if (p.kind !== kind || p.manifest.metadata.name !== name) {
      throw new IdylError('validation_failed', `the manifest is ${p.kind} ${p.manifest.metadata.name}, but the path names ${kind} ${name}`, { field: 'metadata.name' });
    }
    const result = await this.deps.store.transaction(async (tx): Promise<{ action: ApplyResult['action']; row: WorkloadRow }> => {
      const existing = await tx.workloads.getByName(actor.accountId, namespace, kind, name);
      if (!existing) return { action: 'created', row: await this.insert(tx, actor, p) };
      if (existing.subnetId !== p.subnet.id) throw new IdylError('conflict', `${kind} ${name} lives in another subnet; delete it first to move it`);
      const same = sameJson(existing.spec, p.manifest.spec) && sameJson(existing.labels ?? {}, p.manifest.metadata.labels ?? {});
      if (same) return { action: 'unchanged', row: existing };
      if (kind === 'Pod') throw new IdylError('conflict', `pod ${name} exists with another spec; pods are immutable`, { hint: `idyl delete pod ${name}, then apply again` });
      const at = isoNow(this.deps);
      const templateChanged = !sameJson((existing.spec as { template?: unknown }).template, (p.manifest.spec as { template?: unknown }).template);
      await tx.workloads.update(existing.id, { spec: p.manifest.spec, isolation: p.isolation, labels: p.manifest.metadata.labels, annotations: p.manifest.metadata.annotations, updatedAt: at });
      if (templateChanged) for (const pod of await tx.workloads.list({ ownerId: existing.id })) await markDeleting(tx, pod, 'template changed', at);
      const updated = (await tx.workloads.get(existing.id)) as WorkloadRow;
      await tx.events.append({ type: 'workload.updated', accountId: actor.accountId, subjectKind: kind, subjectId: existing.id, subjectName: name, subnetId: p.subnet.id, message: `${kind} ${name} updated`, data: { isolation: p.isolation } });
      await reconcileOwner(tx, updated, p.subnet, at);
      return { action: 'updated', row: (await tx.workloads.get(existing.id)) as WorkloadRow };
    });
    this.deps.kick();
    return { action: result.action, workload: workloadView(result.row, p.subnet) };
  }

  private async insert(tx: Repos, actor: Actor, p: Prepared): Promise<WorkloadRow> {
    const { row, events } = this.newWorkload(actor, p);
    await tx.workloads.insert(row);
    for (const e of events) await tx.events.append(e);
    if (row.kind !== 'Pod') await reconcileOwner(tx, row, p.subnet, row.createdAt);
    return row;
  }

  /** A new workload's row and the events its creation appends (`workload.created`, and the admission's audit record). */
  private newWorkload(actor: Actor, p: Prepared): { row: WorkloadRow; events: EventInsert[] } {
    const at = isoNow(this.deps);
    const m = p.manifest;
    const common = {
      accountId: actor.accountId,
      namespace: p.namespace,
      subnetId: p.subnet.id,
      isolation: p.isolation,
      ...(m.metadata.labels ? { labels: m.metadata.labels } : {}),
      ...(m.metadata.annotations ? { annotations: m.metadata.annotations } : {}),
    };
    let row: WorkloadRow;
    if (p.kind === 'Pod') {
      row = newPodRow({ ...common, name: m.metadata.name, spec: p.podSpec, shape: p.shape, at });
    } else {
      row = {
        ...common,
        id: newId(p.kind === 'Deployment' ? 'dep' : 'sbx'),
        kind: p.kind,
        name: m.metadata.name,
        spec: m.spec,
        phase: 'Pending',
        status: {
          phase: 'Pending',
          isolation: p.isolation,
          conditions: [],
          ...(p.ttlMs !== undefined ? { expiresAt: new Date(Date.parse(at) + p.ttlMs).toISOString() } : {}),
        },
        attempt: 0,
        cpuMillis: 0,
        memoryBytes: 0,
        resourceVersion: 1,
        createdAt: at,
        updatedAt: at,
      };
    }
    const events: EventInsert[] = [
      {
        type: 'workload.created',
        accountId: actor.accountId,
        subjectKind: p.kind,
        subjectId: row.id,
        subjectName: row.name,
        subnetId: p.subnet.id,
        message: `${p.kind} ${row.name} accepted with class ${p.isolation.class} (${p.isolation.source})`,
        data: { isolation: p.isolation },
      },
    ];
    if (p.admittedBy !== 'owner') {
      events.push(auditEvent({ principal: actor.principal, peerAccountId: p.subnet.accountId, action: 'admission.developer', target: p.subnet.slug, allowed: true, reason: p.admittedBy, subnetId: p.subnet.id }));
    }
    return { row, events };
  }

  async get(actor: Actor, namespace: string, kindText: string, name: string): Promise<Workload> {
    const kind = kindFromPath(kindText);
    const w = await this.deps.store.read.workloads.getByName(actor.accountId, namespace, kind, name);
    if (!w) throw new IdylError('not_found', `no ${kind} ${name} in namespace ${namespace}`);
    return this.view(w, new Map());
  }

  async list(actor: Actor, namespace: string, kindText: string): Promise<Workload[]> {
    const kind = kindFromPath(kindText);
    const rows = await this.deps.store.read.workloads.list({ accountId: actor.accountId, namespace, kind });
    const cache = new Map<string, SubnetRow | undefined>();
    return Promise.all(rows.map((w) => this.view(w, cache)));
  }

  async delete(actor: Actor, namespace: string, kindText: string, name: string): Promise<Workload> {
    const kind = kindFromPath(kindText);
    const out = await this.deps.store.transaction(async (tx) => {
      const w = await tx.workloads.getByName(actor.accountId, namespace, kind, name);
      if (!w) throw new IdylError('not_found', `no ${kind} ${name} in namespace ${namespace}`);
      const at = isoNow(this.deps);
      if (kind === 'Pod') {
        await markDeleting(tx, w, 'deleted by its owner', at);
      } else {
        for (const pod of await tx.workloads.list({ ownerId: w.id })) await markDeleting(tx, pod, `${kind} ${name} deleted`, at);
        await tx.workloads.delete(w.id);
        await tx.events.append({ type: 'workload.deleted', accountId: w.accountId, subjectKind: kind, subjectId: w.id, subjectName: w.name, subnetId: w.subnetId, message: `${kind} ${name} deleted` });
      }
      return w;
    });
    this.deps.kick();
    return this.view(out, new Map());
  }

  /** The pod a log request names (a Pod's own name, or the first pod of a Deployment/Sandbox). */
  async podForLogs(actor: Actor, namespace: string, kindText: string, name: string): Promise<WorkloadRow> {
    const kind = kindFromPath(kindText);
    const w = await this.deps.store.read.workloads.getByName(actor.accountId, namespace, kind, name);
    if (!w) throw new IdylError('not_found', `no ${kind} ${name} in namespace ${namespace}`);
    if (kind === 'Pod') return w;
    const pods = await this.deps.store.read.workloads.list({ ownerId: w.id });
    const pod = pods.find((p) => p.phase === 'Running') ?? pods[0];
    if (!pod) throw new IdylError('not_found', `${kind} ${name} has no pod yet`);
    return pod;
  }

  private async view(w: WorkloadRow, cache: Map<string, SubnetRow | undefined>): Promise<Workload> {
    if (!cache.has(w.subnetId)) cache.set(w.subnetId, await this.deps.store.read.subnets.get(w.subnetId));
    const owner = w.ownerId ? await this.deps.store.read.workloads.get(w.ownerId) : undefined;
    return workloadView(w, cache.get(w.subnetId), owner);
  }
}
