import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { WorkloadRow } from '../rows.js';
import type { NodeAllocationSums, WorkloadsRepo } from '../store.js';
import type { IsolationClass, IsolationSource } from '../../../api/isolation.js';
import type { Phase, WorkloadStatus } from '../../../api/workload.js';
import type { WorkloadKind } from '../../../api/schemas/workload.js';
import { compact, fromJson, toJson } from './json.js';
import type { HotStatements } from '../sqlite/hot-statements.js';

const toWorkload = (r: Database['workloads']): WorkloadRow =>
  compact({
    id: r.id,
    accountId: r.accountId,
    namespace: r.namespace,
    kind: r.kind as WorkloadKind,
    name: r.name,
    subnetId: r.subnetId,
    ownerId: r.ownerId ?? undefined,
    spec: fromJson<unknown>(r.spec),
    labels: fromJson<Record<string, string>>(r.labels),
    annotations: fromJson<Record<string, string>>(r.annotations),
    isolation: { class: r.isolationClass as IsolationClass, source: r.isolationSource as IsolationSource },
    phase: r.phase as Phase,
    status: fromJson<WorkloadStatus>(r.status),
    nodeId: r.nodeId ?? undefined,
    attempt: Number(r.attempt),
    cpuMillis: Number(r.cpuMillis),
    memoryBytes: Number(r.memoryBytes),
    gpuIds: fromJson<string[]>(r.gpuIds),
    resourceVersion: Number(r.resourceVersion),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    deletedAt: r.deletedAt ?? undefined,
  }) as WorkloadRow;

function toColumns(fields: Partial<Omit<WorkloadRow, 'id' | 'resourceVersion'>>): Partial<Database['workloads']> {
  const set: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    switch (k) {
      case 'spec':
      case 'labels':
      case 'annotations':
      case 'status':
      case 'gpuIds':
        set[k] = toJson(v);
        break;
      case 'isolation': {
        const iso = v as WorkloadRow['isolation'];
        set.isolationClass = iso.class;
        set.isolationSource = iso.source;
        break;
      }
      default:
        set[k] = v ?? null;
    }
  }
  return set as Partial<Database['workloads']>;
}

/** Workloads (every kind; pods carry their binding) over Kysely; `hot`: inside a SQLite transaction, inserts, updates and reads by name run as prepared statements (sqlite/hot-statements.ts). */
export function workloadsRepo(q: Kysely<Database>, hot?: HotStatements): WorkloadsRepo {
  return {
    async insert(row) {
      const cols = toColumns(row) as Database['workloads'];
      if (hot) return hot.insertWorkload({ ...cols, id: row.id, resourceVersion: row.resourceVersion });
      await q.insertInto('workloads').values({ ...cols, id: row.id, resourceVersion: row.resourceVersion }).execute();
    },
    async get(id) {
      const r = await q.selectFrom('workloads').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toWorkload(r);
    },
    async getByName(accountId, namespace, kind, name) {
      if (hot) {
        const row = hot.workloadNamed(accountId, namespace, kind, name);
        return row && toWorkload(row);
      }
      const r = await q
        .selectFrom('workloads')
        .selectAll()
        .where('accountId', '=', accountId)
        .where('namespace', '=', namespace)
        .where('kind', '=', kind)
        .where('name', '=', name)
        .where('deletedAt', 'is', null)
        .executeTakeFirst();
      return r && toWorkload(r);
    },
    async list(f) {
      let query = q.selectFrom('workloads').selectAll();
      if (f.accountId) query = query.where('accountId', '=', f.accountId);
      if (f.namespace) query = query.where('namespace', '=', f.namespace);
      if (f.kind) query = query.where('kind', '=', f.kind);
      if (f.subnetId) query = query.where('subnetId', '=', f.subnetId);
      if (f.nodeId) query = query.where('nodeId', '=', f.nodeId);
      if (f.ownerId) query = query.where('ownerId', '=', f.ownerId);
      if (f.phases) query = query.where('phase', 'in', [...f.phases]);
      if (!f.includeDeleting) query = query.where('deletedAt', 'is', null);
      if (f.unbound) query = query.where('nodeId', 'is', null);
      const after = f.after;
      if (after) query = query.where((eb) => eb.or([eb('createdAt', '>', after.createdAt), eb.and([eb('createdAt', '=', after.createdAt), eb('id', '>', after.id)])]));
      query = query.orderBy('createdAt').orderBy('id');
      if (f.limit) query = query.limit(f.limit);
      return (await query.execute()).map(toWorkload);
    },
    async update(id, fields, expectVersion) {
      if (hot) return hot.updateWorkload(id, toColumns(fields) as Record<string, string | number | null>, expectVersion);
      let query = q
        .updateTable('workloads')
        .set(toColumns(fields))
        .set((eb) => ({ resourceVersion: eb('resourceVersion', '+', 1) }))
        .where('id', '=', id);
      if (expectVersion !== undefined) query = query.where('resourceVersion', '=', expectVersion);
      const r = await query.executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async delete(id) {
      await q.deleteFrom('workloads').where('id', '=', id).execute();
    },
    async allocations(nodeIds) {
      let query = q
        .selectFrom('workloads')
        .select(['nodeId', 'ownerId', 'cpuMillis', 'memoryBytes', 'gpuIds', 'isolationClass'])
        .where('nodeId', 'is not', null)
        .where('phase', 'in', ['Pending', 'Running']);
      if (nodeIds) {
        if (nodeIds.length === 0) return new Map();
        query = query.where('nodeId', 'in', [...nodeIds]);
      }
      const out = new Map<string, NodeAllocationSums>();
      for (const r of await query.execute()) {
        const key = r.nodeId as string;
        let a = out.get(key);
        if (!a) {
          a = { cpuMillis: 0, memoryBytes: 0, gpuIds: [], pods: 0, microvmPods: 0, byOwner: new Map() };
          out.set(key, a);
        }
        a.cpuMillis += Number(r.cpuMillis);
        a.memoryBytes += Number(r.memoryBytes);
        a.pods += 1;
        if (r.isolationClass === 'microvm') a.microvmPods += 1;
        for (const g of fromJson<string[]>(r.gpuIds) ?? []) a.gpuIds.push(g);
        if (r.ownerId) a.byOwner.set(r.ownerId, (a.byOwner.get(r.ownerId) ?? 0) + 1);
      }
      return out;
    },
  };
}
