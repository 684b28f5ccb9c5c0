import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { AdmissionRow, ApprovalRow, FleetRow, SubnetRow } from '../rows.js';
import type { AdmissionRepo, ApprovalsRepo, FleetsRepo, SubnetsRepo } from '../store.js';
import type { AdmissionMode, RuntimePolicy } from '../../../api/subnet.js';
import { compact, fromJson, toJson } from './json.js';

const toSubnet = (r: Database['subnets']): SubnetRow =>
  compact({
    id: r.id,
    slug: r.slug,
    name: r.name ?? undefined,
    region: r.region,
    accountId: r.accountId,
    runtimePolicy: fromJson<RuntimePolicy>(r.runtimePolicy),
    developerMode: r.developerMode as AdmissionMode,
    providerMode: r.providerMode as AdmissionMode,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }) as SubnetRow;

/** Subnets over Kysely. */
export function subnetsRepo(q: Kysely<Database>): SubnetsRepo {
  return {
    async insert(row) {
      await q
        .insertInto('subnets')
        .values({ ...row, name: row.name ?? null, runtimePolicy: toJson(row.runtimePolicy) })
        .execute();
    },
    async get(id) {
      const r = await q.selectFrom('subnets').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toSubnet(r);
    },
    async find(ref) {
      const r = await q.selectFrom('subnets').selectAll().where((eb) => eb.or([eb('slug', '=', ref), eb('name', '=', ref)])).executeTakeFirst();
      return r && toSubnet(r);
    },
    async listByAccount(accountId) {
      return (await q.selectFrom('subnets').selectAll().where('accountId', '=', accountId).orderBy('createdAt').execute()).map(toSubnet);
    },
    async listAll() {
      return (await q.selectFrom('subnets').selectAll().orderBy('createdAt').execute()).map(toSubnet);
    },
    async update(id, fields) {
      const set: Partial<Database['subnets']> = {};
      if ('runtimePolicy' in fields) set.runtimePolicy = toJson(fields.runtimePolicy);
      if (fields.developerMode) set.developerMode = fields.developerMode;
      if (fields.providerMode) set.providerMode = fields.providerMode;
      if (fields.updatedAt) set.updatedAt = fields.updatedAt;
      await q.updateTable('subnets').set(set).where('id', '=', id).execute();
    },
    async delete(id) {
      await q.deleteFrom('subnets').where('id', '=', id).execute();
    },
  };
}

/** Admission grants and requests over Kysely. */
export function admissionRepo(q: Kysely<Database>): AdmissionRepo {
  const toRow = (r: Database['admissionEntries']): AdmissionRow => r as unknown as AdmissionRow;
  return {
    async list(subnetId) {
      return (await q.selectFrom('admissionEntries').selectAll().where('subnetId', '=', subnetId).orderBy('at').execute()).map(toRow);
    },
    async get(subnetId, type, subjectKind, subjectId) {
      const r = await q
        .selectFrom('admissionEntries')
        .selectAll()
        .where('subnetId', '=', subnetId)
        .where('type', '=', type)
        .where('subjectKind', '=', subjectKind)
        .where('subjectId', '=', subjectId)
        .executeTakeFirst();
      return r && toRow(r);
    },
    async put(row) {
      await q
        .insertInto('admissionEntries')
        .values(row)
        .onConflict((oc) => oc.columns(['subnetId', 'type', 'subjectKind', 'subjectId']).doUpdateSet({ state: row.state, at: row.at }))
        .execute();
    },
    async delete(subnetId, type, subjectKind, subjectId) {
      const r = await q
        .deleteFrom('admissionEntries')
        .where('subnetId', '=', subnetId)
        .where('type', '=', type)
        .where('subjectKind', '=', subjectKind)
        .where('subjectId', '=', subjectId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

/** An account's own deploy approvals over Kysely. */
export function approvalsRepo(q: Kysely<Database>): ApprovalsRepo {
  return {
    async put(row: ApprovalRow) {
      await q.insertInto('approvals').values(row).onConflict((oc) => oc.columns(['accountId', 'subnetId']).doNothing()).execute();
    },
    async delete(accountId, subnetId) {
      const r = await q.deleteFrom('approvals').where('accountId', '=', accountId).where('subnetId', '=', subnetId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async has(accountId, subnetId) {
      return !!(await q.selectFrom('approvals').select('at').where('accountId', '=', accountId).where('subnetId', '=', subnetId).executeTakeFirst());
    },
    async listByAccount(accountId) {
      return q.selectFrom('approvals').selectAll().where('accountId', '=', accountId).orderBy('at').execute();
    },
  };
}

/** Provider fleets over Kysely. */
export function fleetsRepo(q: Kysely<Database>): FleetsRepo {
  return {
    async insert(row: FleetRow) {
      await q.insertInto('fleets').values(row).execute();
    },
    async get(id) {
      return q.selectFrom('fleets').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async listByAccount(accountId) {
      return q.selectFrom('fleets').selectAll().where('accountId', '=', accountId).orderBy('createdAt').execute();
    },
    async rename(id, name) {
      await q.updateTable('fleets').set({ name }).where('id', '=', id).execute();
    },
    async delete(id) {
      await q.deleteFrom('fleets').where('id', '=', id).execute();
    },
  };
}
