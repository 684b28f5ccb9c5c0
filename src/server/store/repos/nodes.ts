import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { NodeRow } from '../rows.js';
import type { NodesRepo } from '../store.js';
import type { CapabilityReport, NodeCondition } from '../../../api/node.js';
import type { RuntimeProfile } from '../../../api/isolation.js';
import { compact, fromJson, toJson } from './json.js';
import type { HotStatements } from '../sqlite/hot-statements.js';

const toNode = (r: Database['nodes']): NodeRow =>
  compact({
    id: r.id,
    name: r.name,
    accountId: r.accountId,
    fleetId: r.fleetId ?? undefined,
    subnetId: r.subnetId,
    runtimeProfile: r.runtimeProfile as RuntimeProfile,
    // A report that does not parse reads as none: the node fails closed (field case 5).
    report: fromJson<CapabilityReport>(r.report),
    connected: r.connected === 1,
    lastHeartbeatAt: r.lastHeartbeatAt ?? undefined,
    conditions: fromJson<NodeCondition[]>(r.conditions) ?? [],
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    version: Number(r.version),
  }) as NodeRow;

function toColumns(fields: Partial<Omit<NodeRow, 'id' | 'version'>>): Partial<Database['nodes']> {
  const set: Partial<Database['nodes']> = {};
  for (const [k, v] of Object.entries(fields)) {
    switch (k) {
      case 'report':
        set.report = toJson(v);
        break;
      case 'conditions':
        set.conditions = JSON.stringify(v ?? []);
        break;
      case 'connected':
        set.connected = v ? 1 : 0;
        break;
      default:
        (set as Record<string, unknown>)[k] = v ?? null;
    }
  }
  return set;
}

/** Nodes over Kysely; `hot`: inside a SQLite transaction, `versionOf` runs as a prepared statement (sqlite/hot-statements.ts). */
export function nodesRepo(q: Kysely<Database>, hot?: HotStatements): NodesRepo {
  return {
    async insert(row) {
      await q
        .insertInto('nodes')
        .values({
          id: row.id,
          name: row.name,
          accountId: row.accountId,
          fleetId: row.fleetId ?? null,
          subnetId: row.subnetId,
          runtimeProfile: row.runtimeProfile,
          report: toJson(row.report),
          connected: row.connected ? 1 : 0,
          lastHeartbeatAt: row.lastHeartbeatAt ?? null,
          conditions: JSON.stringify(row.conditions),
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
          version: row.version,
        })
        .execute();
    },
    async get(id) {
      const r = await q.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toNode(r);
    },
    async versionOf(id) {
      if (hot) return hot.versionOfNode(id);
      const r = await q.selectFrom('nodes').select('version').where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : Number(r.version);
    },
    async list(filter = {}) {
      let query = q.selectFrom('nodes').selectAll();
      if (filter.subnetId) query = query.where('subnetId', '=', filter.subnetId);
      if (filter.subnetIds) {
        if (filter.subnetIds.length === 0) return [];
        query = query.where('subnetId', 'in', [...filter.subnetIds]);
      }
      if (filter.accountId) query = query.where('accountId', '=', filter.accountId);
      if (filter.fleetId) query = query.where('fleetId', '=', filter.fleetId);
      if (filter.connected !== undefined) query = query.where('connected', '=', filter.connected ? 1 : 0);
      return (await query.orderBy('createdAt').orderBy('id').execute()).map(toNode);
    },
    async update(id, fields, expectVersion) {
      let query = q
        .updateTable('nodes')
        .set({ ...toColumns(fields) })
        .set((eb) => ({ version: eb('version', '+', 1) }))
        .where('id', '=', id);
      if (expectVersion !== undefined) query = query.where('version', '=', expectVersion);
      const r = await query.executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async heartbeat(id, at) {
      const r = await q.selectFrom('nodes').select(['connected']).where('id', '=', id).executeTakeFirst();
      if (!r) return undefined;
      await q.updateTable('nodes').set({ lastHeartbeatAt: at, connected: 1 }).where('id', '=', id).execute();
      return { wasConnected: r.connected === 1 };
    },
    async disconnectStale(before, at) {
      const stale = await q.selectFrom('nodes').selectAll().where('connected', '=', 1).where('lastHeartbeatAt', '<', before).execute();
      const out: NodeRow[] = [];
      for (const r of stale) {
        const u = await q
          .updateTable('nodes')
          .set({ connected: 0, updatedAt: at })
          .set((eb) => ({ version: eb('version', '+', 1) }))
          .where('id', '=', r.id)
          .where('connected', '=', 1)
          .where('lastHeartbeatAt', '<', before)
          .executeTakeFirst();
        if (Number(u.numUpdatedRows) > 0) out.push(toNode({ ...r, connected: 0 }));
      }
      return out;
    },
    async delete(id) {
      await q.deleteFrom('nodes').where('id', '=', id).execute();
    },
  };
}
