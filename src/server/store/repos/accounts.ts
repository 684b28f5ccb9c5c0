import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { AccountRow, IdentityRow } from '../rows.js';
import type { AccountsRepo, IdentitiesRepo } from '../store.js';

const toAccount = (r: Database['accounts']): AccountRow => ({ id: r.id, name: r.name, root: r.root === 1, createdAt: r.createdAt });

/** Accounts over Kysely. */
export function accountsRepo(q: Kysely<Database>): AccountsRepo {
  return {
    async insert(row) {
      await q.insertInto('accounts').values({ ...row, root: row.root ? 1 : 0 }).execute();
    },
    async get(id) {
      const r = await q.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toAccount(r);
    },
    async list() {
      return (await q.selectFrom('accounts').selectAll().orderBy('createdAt').execute()).map(toAccount);
    },
    async count() {
      const r = await q.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

/** Identities over Kysely. */
export function identitiesRepo(q: Kysely<Database>): IdentitiesRepo {
  const toIdentity = (r: Database['identities']): IdentityRow => ({ ...r });
  return {
    async insert(row) {
      await q.insertInto('identities').values(row).execute();
    },
    async get(id) {
      const r = await q.selectFrom('identities').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toIdentity(r);
    },
    async firstOfAccount(accountId) {
      const r = await q.selectFrom('identities').selectAll().where('accountId', '=', accountId).orderBy('createdAt').limit(1).executeTakeFirst();
      return r && toIdentity(r);
    },
  };
}
