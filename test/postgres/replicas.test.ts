import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ApiClient } from '../../src/client/api-client.js';
import type { EventRecord } from '../../src/api/event.js';
import type { JoinResult, List } from '../../src/api/wire.js';
import type { Workload } from '../../src/api/workload.js';

const ADMIN_URL = process.env.IDYL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = process.env.IDYL_REPO_ROOT ?? new URL('../../../', import.meta.url).pathname;
const TOKEN = `idyl_pat_${randomBytes(24).toString('base64url')}`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Replica {
  readonly url: string;
  readonly child: ChildProcess;
  readonly client: ApiClient;
}

async function startReplica(databaseUrl: string, dir: string): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bin/idyl'), 'server', '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--database-url', databaseUrl, '--log-level', 'warn', '--heartbeat-timeout', '3s'], {
    env: { ...process.env, IDYL_BOOTSTRAP_TOKEN: TOKEN },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, child, client: new ApiClient({ realm: url, token: TOKEN }) };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`replica on ${url} did not start`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A verified docker report, as a test node client would send it (a fake node: no agent runs). */
function fakeDockerReport() {
  return {
    runtimeProfile: 'docker',
    verified: true,
    checks: [{ name: 'docker.engine', ok: true, detail: 'fake node for the replica test' }],
    platform: 'linux/amd64',
    kernel: '6.1.0',
    capacity: { cpuMillis: 4000, memoryBytes: 8 * 2 ** 30 },
    engine: { name: 'docker', version: '20.10' },
    runtimes: ['runc'],
    gpus: [],
    attributes: {},
    microvmGPU: false,
  };
}

test('control-plane replicas on one PostgreSQL share state, events and one planner that fails over', async (t) => {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    if (process.env.CI === 'true') assert.fail(`PostgreSQL at ${ADMIN_URL} is unavailable under CI: ${(err as Error).message}`);
    t.skip(`PostgreSQL at ${ADMIN_URL} is not reachable: ${(err as Error).message}`);
    return;
  }
  const db = `idyl_replicas_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${db}`);
  const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${db}`);
  const dir = mkdtempSync(join(tmpdir(), 'idyl-replicas-'));
  const replicas: Replica[] = [];
  try {
    // Both start at once on an empty database: one root account, one token, both serve it.
    replicas.push(...(await Promise.all([startReplica(databaseUrl, join(dir, 'a')), startReplica(databaseUrl, join(dir, 'b'))])));
    const [a, b] = replicas as [Replica, Replica];
    const direct = new pg.Client({ connectionString: databaseUrl });
    await direct.connect();
    const roots = await direct.query('SELECT count(*)::int AS n FROM accounts WHERE root = 1');
    await direct.end();
    assert.equal(roots.rows[0].n, 1, 'exactly one root account');
    assert.equal((await a.client.call<{ accountId: string }>('whoami')).accountId, (await b.client.call<{ accountId: string }>('whoami')).accountId);

    // A watcher on B sees what is written through A.
    const since = (await b.client.call<{ revision: number }>('events.list', { query: { limit: 1 } })).revision;
    const seen: EventRecord[] = [];
    const watch = new AbortController();
    const watching = (async () => {
      for await (const e of b.client.ndjson<EventRecord>('events.list', { query: { follow: 'true', since } }, watch.signal)) if (e.type !== 'ping') seen.push(e);
    })().catch(() => undefined);
    await a.client.call('subnets.create', { body: { region: 'us-east', name: 'shared' } });
    await until('the subnet event on replica b', async () => (seen.some((e) => e.type === 'subnet.created') ? true : undefined));

    // A node joined through B; pods created through A are placed by whichever replica leads.
    const joined = await b.client.call<JoinResult>('nodes.join', { body: { subnet: 'shared', name: 'n1', report: fakeDockerReport() } });
    const node = new ApiClient({ realm: b.url, token: joined.credential });
    const beat = setInterval(() => void node.call('nodes.heartbeat', { params: { node: joined.node.id }, body: {} }).catch(() => {}), 500);
    try {
      const manifest = (name: string) => ({ kind: 'Pod', metadata: { name, subnet: 'shared' }, spec: { containers: [{ imageURI: 'busybox' }] } });
      await a.client.call('workloads.create', { params: { namespace: 'default' }, body: manifest('p1') });
      const placed = (c: ApiClient, name: string) =>
        until(`${name} placed`, async () => {
          const w = await c.call<Workload>('workloads.get', { params: { namespace: 'default', kind: 'pods', name } });
          return w.status.placement ? w : undefined;
        });
      assert.equal((await placed(b.client, 'p1')).status.placement?.node, joined.node.id);

      // Only c runs: it holds the lease and places p2. Then d joins, c dies, and d must
      // take the lease over to place p3.
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
      replicas.length = 0;
      clearInterval(beat);
      const c = await startReplica(databaseUrl, join(dir, 'c'));
      replicas.push(c);
      const heartbeats = (realm: string) => {
        const nc = new ApiClient({ realm, token: joined.credential });
        const timer = setInterval(() => void nc.call('nodes.heartbeat', { params: { node: joined.node.id }, body: {} }).catch(() => {}), 500);
        return () => {
          clearInterval(timer);
          nc.close();
        };
      };
      let stopBeats = heartbeats(c.url);
      await c.client.call('workloads.create', { params: { namespace: 'default' }, body: manifest('p2') });
      await placed(c.client, 'p2');
      const d = await startReplica(databaseUrl, join(dir, 'd'));
      replicas.push(d);
      c.child.kill('SIGKILL');
      replicas.splice(replicas.indexOf(c), 1);
      stopBeats();
      stopBeats = heartbeats(d.url);
      try {
        await d.client.call('workloads.create', { params: { namespace: 'default' }, body: manifest('p3') });
        await placed(d.client, 'p3');
      } finally {
        stopBeats();
      }
      const pods = await d.client.call<List<Workload>>('workloads.list', { params: { namespace: 'default', kind: 'pods' } });
      assert.deepEqual(pods.items.map((p) => p.metadata.name).sort(), ['p1', 'p2', 'p3']);
    } finally {
      clearInterval(beat);
      node.close();
    }
    watch.abort();
    await watching;
  } finally {
    for (const r of replicas) {
      r.client.close();
      r.child.kill('SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 300));
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
});
