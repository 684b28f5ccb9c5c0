import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReadCache, refuseGateWrites } from './read-cache.js';
import type { Repos } from './store.js';

/** Repos over a plain map of tokens and subnets, counting what reaches "the database". */
function fakeRepos() {
  const tokens = new Map<string, { id: string; secretHash: string; revokedAt?: string; lastUsedAt?: string }>([['h1', { id: 't1', secretHash: 'h1' }]]);
  const subnets = new Map<string, { id: string; name: string }>([['s1', { id: 's1', name: 'web' }]]);
  const calls = { findByHash: 0, subnetGet: 0, listByAccount: 0 };
  let gate: Promise<void> | undefined;
  const repos = {
    tokens: {
      findByHash: async (hash: string) => {
        calls.findByHash++;
        const row = tokens.get(hash);
        const copy = row ? { ...row } : undefined;
        await gate;
        return copy;
      },
      get: async () => undefined,
      listByAccount: async () => {
        calls.listByAccount++;
        return [];
      },
      revoke: async (id: string, at: string) => {
        for (const t of tokens.values()) if (t.id === id) t.revokedAt = at;
        return true;
      },
      revokeForNode: async () => 0,
      insert: async () => {},
      touch: async (id: string, at: string) => {
        for (const t of tokens.values()) if (t.id === id) t.lastUsedAt = at;
      },
    },
    accounts: { get: async () => undefined, insert: async () => {}, list: async () => [], count: async () => 0 },
    identities: { get: async () => undefined, insert: async () => {}, firstOfAccount: async () => undefined },
    subnets: {
      get: async (id: string) => {
        calls.subnetGet++;
        const s = subnets.get(id);
        return s ? { ...s } : undefined;
      },
      find: async () => undefined,
      listByAccount: async () => [],
      listAll: async () => [],
      insert: async () => {},
      update: async (id: string, fields: { name: string }) => {
        const s = subnets.get(id);
        if (s) s.name = fields.name;
        return true;
      },
      delete: async () => {},
    },
    approvals: { has: async () => true, put: async () => {}, delete: async () => true, listByAccount: async () => [] },
    admission: { list: async () => [], get: async () => undefined, put: async () => {}, delete: async () => true },
    workloads: { update: async () => true },
  } as unknown as Repos;
  return { repos, calls, hold: (p: Promise<void> | undefined) => (gate = p) };
}

describe('ReadCache: exact reads of tokens and submission gates in one process', () => {
  it('answers a repeated read without asking the database again, and passes uncached reads through', async () => {
    const f = fakeRepos();
    const read = new ReadCache().reading(f.repos);
    assert.equal((await read.tokens.findByHash('h1'))?.id, 't1');
    assert.equal((await read.tokens.findByHash('h1'))?.id, 't1');
    assert.equal(f.calls.findByHash, 1);
    await read.tokens.listByAccount('a', 'pat');
    await read.tokens.listByAccount('a', 'pat');
    assert.equal(f.calls.listByAccount, 2);
  });

  it('a write, in a transaction or not, is seen by the next read: a revoked token is revoked at once', async () => {
    const f = fakeRepos();
    const cache = new ReadCache();
    const read = cache.reading(f.repos);
    const tx = cache.writing(f.repos);
    assert.equal((await read.tokens.findByHash('h1'))?.revokedAt, undefined);
    await tx.tokens.revoke('t1', '2026-01-01T00:00:00.000Z');
    assert.equal((await read.tokens.findByHash('h1'))?.revokedAt, '2026-01-01T00:00:00.000Z');
    await read.subnets.get('s1');
    await read.subnets.update('s1', { name: 'api' } as never);
    assert.equal((await read.subnets.get('s1'))?.name, 'api');
    assert.equal(f.calls.subnetGet, 2);
  });

  it('a read that ran while a write began is not kept', async () => {
    const f = fakeRepos();
    const cache = new ReadCache();
    const read = cache.reading(f.repos);
    let release = () => {};
    f.hold(new Promise<void>((r) => (release = r)));
    const inFlight = read.tokens.findByHash('h1');
    await cache.writing(f.repos).tokens.revoke('t1', '2026-01-01T00:00:00.000Z');
    release();
    f.hold(undefined);
    assert.equal((await inFlight)?.revokedAt, undefined);
    assert.equal((await read.tokens.findByHash('h1'))?.revokedAt, '2026-01-01T00:00:00.000Z');
  });

  it('unknown tokens are not kept, so guesses cannot fill it', async () => {
    const f = fakeRepos();
    const read = new ReadCache().reading(f.repos);
    assert.equal(await read.tokens.findByHash('guess'), undefined);
    assert.equal(await read.tokens.findByHash('guess'), undefined);
    assert.equal(f.calls.findByHash, 2);
  });

  it('an absent admission entry is kept like a present one, until a write to admission; an absent subnet is not kept', async () => {
    const f = fakeRepos();
    let admissionGets = 0;
    const repos = { ...f.repos, admission: { ...f.repos.admission, get: async () => (admissionGets++, undefined) } } as Repos;
    const cache = new ReadCache();
    const read = cache.reading(repos);
    const ask = () => read.admission.get('s1', 'developer', 'account', 'a1');
    assert.equal(await ask(), undefined);
    assert.equal(await ask(), undefined);
    assert.equal(admissionGets, 1);
    await cache.writing(repos).admission.put({} as never);
    assert.equal(await ask(), undefined);
    assert.equal(admissionGets, 2);
    assert.equal(await read.subnets.get('s2'), undefined);
    assert.equal(await read.subnets.get('s2'), undefined);
    assert.equal(f.calls.subnetGet, 2);
  });

  it('a connection that refuses gate writes reads them but throws on writing them, and writes other repos', async () => {
    const f = fakeRepos();
    const guarded = refuseGateWrites(f.repos);
    assert.equal((await guarded.tokens.findByHash('h1'))?.id, 't1');
    assert.equal((await guarded.subnets.get('s1'))?.name, 'web');
    await assert.rejects(guarded.tokens.revoke('t1', 'now'), /tokens\.revoke: this connection may not write tokens/);
    await assert.rejects(guarded.subnets.update('s1', { name: 'x' } as never), /subnets\.update/);
    assert.equal(await guarded.workloads.update('p1', {}), true);
  });

  it('touching a token updates its cached lastUsedAt without emptying the cache', async () => {
    const f = fakeRepos();
    const read = new ReadCache().reading(f.repos);
    await read.subnets.get('s1');
    await read.tokens.findByHash('h1');
    await read.tokens.touch('t1', '2026-02-02T00:00:00.000Z');
    assert.equal((await read.tokens.findByHash('h1'))?.lastUsedAt, '2026-02-02T00:00:00.000Z');
    await read.subnets.get('s1');
    assert.deepEqual([f.calls.findByHash, f.calls.subnetGet], [1, 1]);
  });

  it('cached answers are frozen: a caller cannot change what the next one reads', async () => {
    const f = fakeRepos();
    const read = new ReadCache().reading(f.repos);
    const row = (await read.subnets.get('s1')) as { name: string };
    assert.throws(() => {
      row.name = 'changed';
    }, TypeError);
    assert.equal((await read.subnets.get('s1'))?.name, 'web');
  });
});
