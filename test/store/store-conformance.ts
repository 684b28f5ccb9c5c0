import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/server/store/store.js';
import { UniqueViolation } from '../../src/server/store/store.js';
import type { NodeRow, WorkloadRow } from '../../src/server/store/rows.js';

/** What each database's test file provides to the shared suite. */
export interface StoreHarness {
  /** A fresh, migrated, empty store. */
  open(): Promise<Store>;
  /** Runs raw SQL against the same database (to plant corrupt data). */
  raw(sql: string): Promise<void>;
  /** Drops what `open` made. */
  cleanup(): Promise<void>;
}

const at = (s = 0) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

async function seed(store: Store): Promise<{ subnetId: string; accountId: string }> {
  const accountId = '100000000001';
  await store.transaction(async (tx) => {
    await tx.accounts.insert({ id: accountId, name: 'acme', root: false, createdAt: at() });
    await tx.subnets.insert({ id: 'sn-1', slug: '10000001', name: 'edge', region: 'us-east', accountId, developerMode: 'invite', providerMode: 'invite', createdAt: at(), updatedAt: at() });
  });
  return { subnetId: 'sn-1', accountId };
}

function pod(id: string, name: string, accountId: string, subnetId: string, extra: Partial<WorkloadRow> = {}): WorkloadRow {
  return {
    id,
    accountId,
    namespace: 'default',
    kind: 'Pod',
    name,
    subnetId,
    spec: { containers: [{ imageURI: 'x' }] },
    isolation: { class: 'container', source: 'explicit' },
    phase: 'Pending',
    status: { phase: 'Pending', isolation: { class: 'container', source: 'explicit' }, conditions: [] },
    attempt: 0,
    cpuMillis: 100,
    memoryBytes: 1024,
    resourceVersion: 1,
    createdAt: at(),
    updatedAt: at(),
    ...extra,
  };
}

function node(id: string, subnetId: string, accountId: string): NodeRow {
  return { id, name: id, accountId, subnetId, runtimeProfile: 'docker', connected: true, lastHeartbeatAt: at(), conditions: [], createdAt: at(), updatedAt: at(), version: 0 };
}

/**
 * The behaviour every store implementation must show, run against each real
 * database (style.md rule 5).
 */
export function storeConformance(name: string, harness: () => Promise<StoreHarness | string>): void {
  const withStore = (title: string, fn: (store: Store, h: StoreHarness) => Promise<void>) =>
    test(`${name}: ${title}`, async (t) => {
      const h = await harness();
      if (typeof h === 'string') {
        if (process.env.CI === 'true') assert.fail(`${name} is unavailable under CI: ${h}`);
        t.skip(h);
        return;
      }
      const store = await h.open();
      try {
        await fn(store, h);
      } finally {
        await store.close();
        await h.cleanup();
      }
    });

  withStore('a failed transaction leaves nothing half-written', async (store) => {
    const { subnetId, accountId } = await seed(store);
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.workloads.insert(pod('pod-1', 'web', accountId, subnetId));
        await tx.events.append({ type: 'workload.created', accountId, subjectKind: 'Pod', subjectId: 'pod-1', message: 'x' });
        throw new Error('crash after the insert');
      }),
      /crash after the insert/,
    );
    assert.equal(await store.read.workloads.get('pod-1'), undefined);
    assert.equal(await store.read.events.latestRevision(), 0);
  });

  withStore('one live workload per name; a deleting one frees the name', async (store) => {
    const { subnetId, accountId } = await seed(store);
    await store.transaction((tx) => tx.workloads.insert(pod('pod-1', 'web', accountId, subnetId)));
    await assert.rejects(store.transaction((tx) => tx.workloads.insert(pod('pod-2', 'web', accountId, subnetId))), UniqueViolation);
    await store.read.workloads.update('pod-1', { deletedAt: at(5) });
    await store.transaction((tx) => tx.workloads.insert(pod('pod-2', 'web', accountId, subnetId)));
    assert.equal((await store.read.workloads.getByName(accountId, 'default', 'Pod', 'web'))?.id, 'pod-2');
  });

  withStore('subnet names and slugs are unique', async (store) => {
    const { accountId } = await seed(store);
    const again = { id: 'sn-2', slug: '10000002', name: 'edge', region: 'us-east', accountId, developerMode: 'invite' as const, providerMode: 'invite' as const, createdAt: at(), updatedAt: at() };
    await assert.rejects(store.read.subnets.insert(again), UniqueViolation);
    assert.equal((await store.read.subnets.find('10000001'))?.id, 'sn-1');
    assert.equal((await store.read.subnets.find('edge'))?.id, 'sn-1');
  });

  withStore('optimistic updates refuse a stale version', async (store) => {
    const { subnetId, accountId } = await seed(store);
    await store.read.workloads.insert(pod('pod-1', 'web', accountId, subnetId));
    assert.equal(await store.read.workloads.update('pod-1', { phase: 'Running' }, 1), true);
    assert.equal(await store.read.workloads.update('pod-1', { phase: 'Failed' }, 1), false);
    const w = await store.read.workloads.get('pod-1');
    assert.equal(w?.phase, 'Running');
    assert.equal(w?.resourceVersion, 2);
  });

  withStore('event revisions increase by one and resume without gaps', async (store) => {
    const { accountId } = await seed(store);
    const revs: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (tx) => {
          revs.push(await tx.events.append({ type: 't', accountId, subjectKind: 'x', subjectId: `s${i}`, message: `m${i}` }));
        }),
      ),
    );
    const all = await store.read.events.listSince({ accountId }, 0, 100);
    assert.deepEqual(all.map((e) => e.revision), Array.from({ length: 20 }, (_, i) => i + 1));
    const tail = await store.read.events.listSince({ accountId }, 15, 100);
    assert.deepEqual(tail.map((e) => e.revision), [16, 17, 18, 19, 20]);
    assert.equal(await store.read.events.latestRevision(), 20);
  });

  withStore('commit listeners hear the last revision of each transaction', async (store) => {
    const { accountId } = await seed(store);
    const heard: number[] = [];
    store.onCommit((r) => heard.push(r));
    await store.transaction(async (tx) => {
      await tx.events.append({ type: 't', accountId, subjectKind: 'x', subjectId: 'a', message: 'a' });
      await tx.events.append({ type: 't', accountId, subjectKind: 'x', subjectId: 'b', message: 'b' });
    });
    await assert.rejects(store.transaction(async (tx) => {
      await tx.events.append({ type: 't', accountId, subjectKind: 'x', subjectId: 'c', message: 'c' });
      throw new Error('rolled back');
    }));
    assert.deepEqual(heard, [2]);
  });

  withStore('allocations count bound, live pods per node', async (store) => {
    const { subnetId, accountId } = await seed(store);
    await store.read.nodes.insert(node('node-a', subnetId, accountId));
    await store.read.workloads.insert(pod('p1', 'a', accountId, subnetId, { nodeId: 'node-a', ownerId: 'dep-1', gpuIds: ['g1'] }));
    await store.read.workloads.insert(pod('p2', 'b', accountId, subnetId, { nodeId: 'node-a', phase: 'Running', isolation: { class: 'microvm', source: 'explicit' } }));
    await store.read.workloads.insert(pod('p3', 'c', accountId, subnetId, { nodeId: 'node-a', phase: 'Succeeded' }));
    const a = (await store.read.workloads.allocations(['node-a'])).get('node-a');
    assert.equal(a?.cpuMillis, 200);
    assert.equal(a?.pods, 2);
    assert.equal(a?.microvmPods, 1);
    assert.deepEqual(a?.gpuIds, ['g1']);
    assert.equal(a?.byOwner.get('dep-1'), 1);
  });

  withStore('list pages in creation order after a cursor, ties broken by id', async (store) => {
    const { subnetId, accountId } = await seed(store);
    for (const [id, created] of [['p1', 1], ['p3', 2], ['p2', 2], ['p4', 3]] as const) {
      await store.read.workloads.insert(pod(id, `n-${id}`, accountId, subnetId, { createdAt: at(created) }));
    }
    const ids = async (after?: { createdAt: string; id: string }) => (await store.read.workloads.list({ kind: 'Pod', ...(after ? { after } : {}), limit: 2 })).map((w) => w.id);
    assert.deepEqual(await ids(), ['p1', 'p2']);
    assert.deepEqual(await ids({ createdAt: at(2), id: 'p2' }), ['p3', 'p4']);
    assert.deepEqual(await ids({ createdAt: at(3), id: 'p4' }), []);
  });

  withStore('a corrupt capability report reads as none (fails closed, field case 5)', async (store, h) => {
    const { subnetId, accountId } = await seed(store);
    await store.read.nodes.insert(node('node-a', subnetId, accountId));
    await h.raw(`UPDATE nodes SET report = '{"runtimeProfile": "docker", trunc' WHERE id = 'node-a'`);
    const n = await store.read.nodes.get('node-a');
    assert.ok(n);
    assert.equal(n.report, undefined);
  });

  withStore('stale nodes are disconnected once', async (store) => {
    const { subnetId, accountId } = await seed(store);
    await store.read.nodes.insert(node('node-a', subnetId, accountId));
    await store.read.nodes.insert({ ...node('node-b', subnetId, accountId), lastHeartbeatAt: at(30) });
    const first = await store.read.nodes.disconnectStale(at(10), at(40));
    assert.deepEqual(first.map((n) => n.id), ['node-a']);
    assert.deepEqual(await store.read.nodes.disconnectStale(at(10), at(41)), []);
    assert.equal((await store.read.nodes.heartbeat('node-a', at(50)))?.wasConnected, false);
    assert.equal((await store.read.nodes.get('node-a'))?.connected, true);
  });

  withStore('token secrets are looked up by hash only', async (store) => {
    const { accountId } = await seed(store);
    await store.read.tokens.insert({ id: 'tok-1', accountId, kind: 'pat', name: 'ci', secretHash: 'h1', createdAt: at() });
    assert.equal((await store.read.tokens.findByHash('h1'))?.id, 'tok-1');
    assert.equal(await store.read.tokens.revoke('tok-1', at(1)), true);
    assert.equal(await store.read.tokens.revoke('tok-1', at(2)), false);
    assert.equal((await store.read.tokens.get('tok-1'))?.revokedAt, at(1));
  });

  withStore('a read after a write sees it, whatever was read before (revocation, policy, approval)', async (store) => {
    const { accountId, subnetId } = await seed(store);
    await store.read.tokens.insert({ id: 'tok-1', accountId, kind: 'pat', name: 'ci', secretHash: 'h1', createdAt: at() });
    assert.equal((await store.read.tokens.findByHash('h1'))?.revokedAt, undefined);
    await store.transaction(async (tx) => {
      await tx.tokens.revoke('tok-1', at(1));
    });
    assert.equal((await store.read.tokens.findByHash('h1'))?.revokedAt, at(1));
    await store.read.tokens.touch('tok-1', at(2));
    assert.equal((await store.read.tokens.findByHash('h1'))?.lastUsedAt, at(2));
    assert.equal((await store.read.subnets.find('edge'))?.developerMode, 'invite');
    await store.transaction((tx) => tx.subnets.update(subnetId, { developerMode: 'open', updatedAt: at(3) }));
    assert.equal((await store.read.subnets.find('edge'))?.developerMode, 'open');
    assert.equal((await store.read.subnets.get(subnetId))?.developerMode, 'open');
    assert.equal(await store.read.approvals.has(accountId, subnetId), false);
    await store.read.approvals.put({ accountId, subnetId, at: at(4) });
    assert.equal(await store.read.approvals.has(accountId, subnetId), true);
    // A write rolled back leaves what was there.
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.approvals.delete(accountId, subnetId);
        throw new Error('refused');
      }),
    );
    assert.equal(await store.read.approvals.has(accountId, subnetId), true);
  });

  withStore("a node's version is read alone", async (store) => {
    const { subnetId, accountId } = await seed(store);
    await store.read.nodes.insert(node('node-a', subnetId, accountId));
    const before = (await store.read.nodes.get('node-a'))?.version;
    assert.equal(await store.read.nodes.versionOf('node-a'), before);
    assert.equal(await store.read.nodes.update('node-a', { connected: false }, before), true);
    assert.equal(await store.read.nodes.versionOf('node-a'), (before ?? 0) + 1);
    assert.equal(await store.read.nodes.versionOf('node-nope'), undefined);
  });
}
