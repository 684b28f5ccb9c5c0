import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { TokenRow } from '../rows.js';
import type { TokensRepo } from '../store.js';
import { compact } from './json.js';

const toToken = (r: Database['tokens']): TokenRow => compact({ ...r, kind: r.kind as TokenRow['kind'] }) as TokenRow;

/** Tokens (PATs and node credentials) over Kysely; only hashes are stored. */
export function tokensRepo(q: Kysely<Database>): TokensRepo {
  return {
    async insert(row) {
      await q
        .insertInto('tokens')
        .values({
          id: row.id,
          accountId: row.accountId,
          identityId: row.identityId ?? null,
          nodeId: row.nodeId ?? null,
          kind: row.kind,
          name: row.name,
          secretHash: row.secretHash,
          createdAt: row.createdAt,
          expiresAt: row.expiresAt ?? null,
          revokedAt: row.revokedAt ?? null,
          lastUsedAt: row.lastUsedAt ?? null,
        })
        .execute();
    },
    async findByHash(secretHash) {
      const r = await q.selectFrom('tokens').selectAll().where('secretHash', '=', secretHash).executeTakeFirst();
      return r && toToken(r);
    },
    async get(id) {
      const r = await q.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toToken(r);
    },
    async listByAccount(accountId, kind) {
      const rows = await q.selectFrom('tokens').selectAll().where('accountId', '=', accountId).where('kind', '=', kind).orderBy('createdAt').execute();
      return rows.map(toToken);
    },
    async revoke(id, at) {
      const r = await q.updateTable('tokens').set({ revokedAt: at }).where('id', '=', id).where('revokedAt', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async revokeForNode(nodeId, at) {
      const r = await q.updateTable('tokens').set({ revokedAt: at }).where('nodeId', '=', nodeId).where('revokedAt', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async touch(id, at) {
      await q.updateTable('tokens').set({ lastUsedAt: at }).where('id', '=', id).execute();
    },
  };
}
