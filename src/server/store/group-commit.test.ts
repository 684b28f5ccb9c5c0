import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { GroupCommit } from './group-commit.js';
import { WriteLock } from './write-lock.js';
import { cachingDatabase } from './sqlite/statement-cache.js';

interface Db {
  items: { name: string };
  refs: { name: string };
}

/** An in-memory database whose commits are counted; `refs.name` must name an item by commit time. */
async function world(): Promise<{ db: Kysely<Db>; commits: () => number; names: () => Promise<string[]>; close: () => Promise<void> }> {
  const raw = new Sqlite(':memory:');
  raw.pragma('foreign_keys = ON');
  let commits = 0;
  const counting: SqliteDatabase = {
    close: () => raw.close(),
    prepare: (text) => {
      if (/^\s*commit\b/i.test(text)) commits++;
      return raw.prepare(text);
    },
  };
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: counting }) });
  await sql`create table items (name text primary key)`.execute(db);
  await sql`create table refs (name text references items(name) deferrable initially deferred)`.execute(db);
  return {
    db,
    commits: () => commits,
    names: async () => (await db.selectFrom('items').select('name').orderBy('name').execute()).map((r) => r.name),
    close: () => db.destroy(),
  };
}

const insert = (name: string) => (trx: Kysely<Db>) => trx.insertInto('items').values({ name }).execute().then(() => name);

describe('GroupCommit: transactions asked for together share one commit', () => {
  it('a lone transaction commits on its own', async () => {
    const w = await world();
    const group = new GroupCommit(w.db);
    assert.equal(await group.run(insert('a')), 'a');
    assert.deepEqual(await w.names(), ['a']);
    assert.equal(w.commits(), 1);
    await w.close();
  });

  it('those asked for in the same turn share one commit, each with its own result', async () => {
    const w = await world();
    const group = new GroupCommit(w.db);
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => group.run(insert(n))));
    assert.deepEqual(results, ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(await w.names(), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(w.commits(), 1);
    await w.close();
  });

  it('one that throws is rolled back alone: the others of its group land', async () => {
    const w = await world();
    const group = new GroupCommit(w.db);
    const failing = async (trx: Kysely<Db>) => {
      await trx.insertInto('items').values({ name: 'half-written' }).execute();
      throw new Error('refused');
    };
    const outcomes = await Promise.allSettled([group.run(insert('a')), group.run(insert('b')), group.run(failing), group.run(insert('a')), group.run(insert('c'))]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.match(String((outcomes[2] as PromiseRejectedResult).reason), /refused/);
    // The second 'a' ran after the first, saw it and hit the primary key.
    assert.match(String((outcomes[3] as PromiseRejectedResult).reason), /UNIQUE/);
    assert.deepEqual(await w.names(), ['a', 'b', 'c']);
    await w.close();
  });

  it('they run one after another in the order asked: each sees the writes of those before it', async () => {
    const w = await world();
    const group = new GroupCommit(w.db);
    const seen: number[] = [];
    const countThenInsert = (name: string) => async (trx: Kysely<Db>) => {
      const row = await trx.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      seen.push(Number(row.n));
      await trx.insertInto('items').values({ name }).execute();
    };
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => group.run(countThenInsert(n))));
    assert.deepEqual(seen, [0, 1, 2, 3]);
    await w.close();
  });

  it('when the shared commit fails, every transaction of the group is refused and none of their writes land', async () => {
    const w = await world();
    const group = new GroupCommit(w.db);
    await group.run(insert('first'));
    // A dangling reference is only refused at commit (deferred foreign key).
    const dangling = (trx: Kysely<Db>) => trx.insertInto('refs').values({ name: 'nothing' }).execute();
    const outcomes = await Promise.allSettled([group.run(insert('a')), group.run(dangling), group.run(insert('b'))]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected', 'rejected'],
    );
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /FOREIGN KEY/);
    assert.deepEqual(await w.names(), ['first']);
    // The next transaction commits as usual.
    assert.equal(await group.run(insert('after')), 'after');
    assert.deepEqual(await w.names(), ['after', 'first']);
    await w.close();
  });

  it('a group holds at most the given number; the rest commit in the next', async () => {
    const w = await world();
    const group = new GroupCommit(w.db, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => group.run(insert(n))));
    assert.deepEqual(await w.names(), ['a', 'b', 'c', 'd', 'e']);
    // {a, b}, then {c, d}, then e alone.
    assert.equal(w.commits(), 3);
    await w.close();
  });

  it('a full database refuses the group with SQLITE_FULL, not with the rollback that follows it', async () => {
    const raw = new Sqlite(':memory:');
    const db = new Kysely<{ items: { name: string; pad: Buffer } }>({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }) });
    await sql`create table items (name text primary key, pad blob)`.execute(db);
    raw.pragma(`max_page_count = ${Number(raw.pragma('page_count', { simple: true })) + 3}`);
    const group = new GroupCommit(db);
    const pad = Buffer.alloc(3000);
    const outcomes = await Promise.allSettled(['a', 'b', 'c', 'd', 'e', 'f'].map((name) => group.run((trx) => trx.insertInto('items').values({ name, pad }).execute())));
    for (const o of outcomes) assert.equal(o.status === 'rejected' && (o.reason as { code?: string }).code, 'SQLITE_FULL');
    // A lone transaction too.
    await assert.rejects(group.run((trx) => trx.insertInto('items').values({ name: 'g', pad: Buffer.alloc(20_000) }).execute()), { code: 'SQLITE_FULL' });
    await db.destroy();
  });

  it('with a write lock, nothing commits while another holder has it, and what was asked meanwhile commits together after', async () => {
    const w = await world();
    const mine = new WriteLock(1);
    const other = new WriteLock(2, mine.buffer);
    await other.acquire();
    const group = new GroupCommit(w.db, 256, mine);
    const first = group.run(insert('a'));
    await new Promise((r) => setTimeout(r, 20));
    const later = ['b', 'c'].map((n) => group.run(insert(n)));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(w.commits(), 0);
    assert.deepEqual(await w.names(), []);
    other.release();
    assert.deepEqual(await Promise.all([first, ...later]), ['a', 'b', 'c']);
    assert.equal(w.commits(), 1);
    // The lock is free again: the other holder takes it at once.
    await other.acquire();
    other.release();
    await w.close();
  });
});
