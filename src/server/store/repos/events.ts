import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { EventFilter, EventsRepo } from '../store.js';
import type { EventRecord } from '../../../api/event.js';
import { compact, fromJson, toJson } from './json.js';
import type { HotStatements } from '../sqlite/hot-statements.js';

const toEvent = (r: Selectable<Database['events']>): EventRecord =>
  compact({
    revision: Number(r.revision),
    at: r.at,
    type: r.type,
    accountId: r.accountId ?? undefined,
    subject: compact({ kind: r.subjectKind, id: r.subjectId, name: r.subjectName ?? undefined }),
    subnet: r.subnetId ?? undefined,
    node: r.nodeId ?? undefined,
    message: r.message,
    data: fromJson<Record<string, unknown>>(r.data),
  }) as EventRecord;

/** The append-only event log over Kysely; `hot`: inside a SQLite transaction, appends run as a prepared statement (sqlite/hot-statements.ts). */
export function eventsRepo(q: Kysely<Database>, lock: () => Promise<void>, appended: (revision: number) => void, hot?: HotStatements): EventsRepo {
  function filtered(f: EventFilter) {
    let query = q.selectFrom('events').selectAll();
    if (f.accountId) {
      const id = f.accountId;
      query = query.where((eb) => eb.or([eb('accountId', '=', id), eb('peerAccountId', '=', id)]));
    }
    if (f.nodeId) query = query.where('nodeId', '=', f.nodeId);
    if (f.subjectId) query = query.where('subjectId', '=', f.subjectId);
    if (f.type) query = f.type.endsWith('.') ? query.where('type', 'like', `${f.type}%`) : query.where('type', '=', f.type);
    if (f.types) query = query.where('type', 'in', [...f.types]);
    return query;
  }
  return {
    lock,
    async append(e) {
      await lock();
      const values = {
        at: new Date().toISOString(),
        type: e.type,
        accountId: e.accountId ?? null,
        peerAccountId: e.peerAccountId ?? null,
        subjectKind: e.subjectKind,
        subjectId: e.subjectId,
        subjectName: e.subjectName ?? null,
        subnetId: e.subnetId ?? null,
        nodeId: e.nodeId ?? null,
        message: e.message,
        data: toJson(e.data),
      };
      const revision = hot ? hot.event(values) : Number((await q.insertInto('events').values(values).returning('revision').executeTakeFirstOrThrow()).revision);
      appended(revision);
      return revision;
    },
    async listSince(f, since, limit) {
      return (await filtered(f).where('revision', '>', since).orderBy('revision').limit(limit).execute()).map(toEvent);
    },
    async latest(f, limit) {
      const rows = await filtered(f).orderBy('revision', 'desc').limit(limit).execute();
      return rows.reverse().map(toEvent);
    },
    async latestRevision() {
      const r = await q.selectFrom('events').select((eb) => eb.fn.max('revision').as('rev')).executeTakeFirst();
      return Number(r?.rev ?? 0);
    },
  };
}
