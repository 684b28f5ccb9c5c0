import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventRecord, AuditData } from '../../src/api/event.js';
import type { NodeInfo } from '../../src/api/node.js';
import type { SubnetAdmission } from '../../src/api/subnet.js';
import type { Workload } from '../../src/api/workload.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { rawCall } from '../support/http-call.js';
import { CliUser, startServerProcess, type ServerProcess } from '../support/idyl-bin.js';
import { dockerCheck } from '../support/probes.js';

// Three people who do not trust each other (an operator, a builder, a provider) drive
// bin/idyl against a real `idyl server`, as they would. Nodes join for real (host
// checks against this machine's Docker Engine) but run no agent: each joined node
// sends one heartbeat with its own credential, as its agent would on start, and the
// server's long heartbeat timeout keeps it connected, so that admission alone decides
// where work goes. A join alone leaves a node disconnected (field case 4).

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

interface Items<T> {
  readonly items: readonly T[];
}

await describeWithDaemons('access end to end through bin/idyl: operator, builder, provider', [dockerCheck()], () => {
  let server: ServerProcess;
  const root = new CliUser('root');
  const op = new CliUser('operator');
  const bu = new CliUser('builder');
  const pr = new CliUser('provider');
  const ids = { operator: '', builder: '', provider: '' };
  let fleet = '';

  const admission = (subnet: string) => op.json<SubnetAdmission>('subnet', 'admission', 'get', '--subnet', subnet);
  const nodeState = async (id: string) => (await pr.json<NodeInfo>('node', 'get', id)).state;
  const stateDir = (name: string) => join(pr.homedir, 'nodes', name);
  /** One heartbeat with the credential the join stored, as the node's agent sends on start. */
  const heartbeat = async (name: string) => {
    const state = JSON.parse(readFileSync(join(stateDir(name), 'node.json'), 'utf8')) as { nodeId: string; credential: string };
    const r = await rawCall(server.url, { method: 'POST', path: `/v1/nodes/${state.nodeId}/heartbeat`, token: state.credential, body: {} });
    assert.equal(r.status, 200, `heartbeat of ${name}: ${r.text}`);
  };
  /** Joins through bin/idyl, then heartbeats once; answers the node as `node get` shows it after that. */
  const join_ = async (subnet: string, name: string, ...extra: string[]): Promise<{ node: NodeInfo }> => {
    const joined = await pr.json<{ node: NodeInfo }>('node', 'join', '--subnet', subnet, '--runtime-profile', 'docker', '--name', name, '--state-dir', stateDir(name), ...extra);
    assert.notEqual(joined.node.state, 'connected', 'a node counts as connected only once its agent heartbeats');
    await heartbeat(name);
    return { node: await pr.json<NodeInfo>('node', 'get', joined.node.id) };
  };
  const pod = (who: CliUser, name: string) => who.json<Workload>('get', 'pod', name);

  async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T = await read();
    while (!ok(last)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last).slice(0, 600)}`);
      await sleep(250);
      last = await read();
    }
    return last;
  }

  before(async () => {
    server = await startServerProcess(['--heartbeat-timeout', '10m', '--node-lost-timeout', '30m', '--log-level', 'warn']);
    await root.ok('login', '--realm', server.url, '--token', server.rootToken);
  });

  after(async () => {
    await server?.stop();
    for (const u of [root, op, bu, pr]) u.remove();
  });

  test('the root account creates an account per party with a token; each logs in and sees only its own account', async () => {
    for (const who of ['operator', 'builder', 'provider'] as const) {
      const id = (await root.ok('account', 'create', '--name', who)).trim();
      assert.match(id, /^\d{12}$/, 'account create prints the 12-digit id');
      ids[who] = id;
      const token = (await root.ok('iam', 'pat', 'create', '--name', `${who}-laptop`, '-a', id)).trim();
      const user = { operator: op, builder: bu, provider: pr }[who];
      await user.ok('login', '--realm', server.url, '--token', token);
      assert.equal((await user.json<{ accountId: string }>('whoami')).accountId, id);
    }
    assert.deepEqual((await bu.json<Items<{ id: string }>>('account', 'get')).items.map((a) => a.id), [ids.builder]);
    assert.equal((await bu.refused('account', 'get', ids.operator)).code, 'not_found');
    assert.equal((await bu.refused('account', 'create', '--name', 'mine')).code, 'forbidden');
  });

  test('a new subnet starts in invite mode for both admission types, and only its owner may change or delete it', async () => {
    await op.ok('subnet', 'create', '--region', 'lab', '--name', 'dev');
    const a = await admission('dev');
    assert.equal(a.developer.mode, 'invite');
    assert.equal(a.provider.mode, 'invite');
    assert.deepEqual(a.entries, []);
    for (const args of [
      ['subnet', 'admission', 'set', '--subnet', 'dev', '--type', 'developer', '--mode', 'open'],
      ['subnet', 'admission', 'grant', '--subnet', 'dev', '--developer-account', ids.builder],
      ['subnet', 'admission', 'get', '--subnet', 'dev'],
      ['subnet', 'edit', 'dev', '--allowed-isolation-class', 'microvm'],
      ['subnet', 'delete', 'dev', '-y'],
    ]) {
      assert.equal((await bu.refused(...args)).code, 'forbidden', `builder: idyl ${args.join(' ')}`);
    }
    assert.equal((await admission('dev')).developer.mode, 'invite', 'the refused changes changed nothing');
  });

  test('developer admission: invite refuses without a record, approval records a request the owner grants, open admits anyone, the owner always', async () => {
    assert.equal((await bu.refused('run', IMAGE, '--name', 'first', '--subnet', 'dev')).code, 'subnet_not_approved', 'an account deploys only into subnets it approved');
    await bu.ok('subnet', 'approve', 'dev');

    assert.equal((await bu.refused('run', IMAGE, '--name', 'first', '--subnet', 'dev')).code, 'not_admitted');
    assert.deepEqual((await admission('dev')).entries, [], 'invite mode keeps no record of the attempt');

    await op.ok('subnet', 'admission', 'set', '--subnet', 'dev', '--type', 'developer', '--mode', 'approval');
    const refused = await bu.refused('run', IMAGE, '--name', 'first', '--subnet', 'dev');
    assert.equal(refused.code, 'not_admitted');
    assert.match(refused.message, /request recorded/);
    await bu.refused('run', IMAGE, '--name', 'first', '--subnet', 'dev');
    const requested = (await admission('dev')).entries;
    assert.deepEqual(
      requested.map((e) => [e.type, e.subjectKind, e.subjectId, e.state]),
      [['developer', 'account', ids.builder, 'requested']],
      'one request, however often the account tries',
    );

    await op.ok('subnet', 'admission', 'grant', '--subnet', 'dev', '--developer-account', ids.builder);
    assert.equal((await admission('dev')).entries[0]?.state, 'granted');
    await bu.ok('run', IMAGE, '--name', 'first', '--subnet', 'dev');

    await op.ok('subnet', 'admission', 'revoke', '--subnet', 'dev', '--developer-account', ids.builder);
    assert.equal((await bu.refused('run', IMAGE, '--name', 'second', '--subnet', 'dev')).code, 'not_admitted');

    await op.ok('subnet', 'admission', 'set', '--subnet', 'dev', '--type', 'developer', '--mode', 'open');
    assert.equal((await pr.refused('run', IMAGE, '--name', 'guest', '--subnet', 'dev')).code, 'subnet_not_approved');
    await pr.ok('subnet', 'approve', 'dev');
    await pr.ok('run', IMAGE, '--name', 'guest', '--subnet', 'dev');

    await op.ok('subnet', 'admission', 'set', '--subnet', 'dev', '--type', 'developer', '--mode', 'invite');
    await op.ok('run', IMAGE, '--name', 'own', '--subnet', 'dev');
    await bu.ok('subnet', 'unapprove', 'dev');
    assert.equal((await bu.refused('run', IMAGE, '--name', 'third', '--subnet', 'dev')).code, 'subnet_not_approved');
  });

  test('provider admission: invite refuses a join, a fleet grant admits, approval joins pending-admission until granted, open admits, revoking drains', async () => {
    await op.ok('subnet', 'create', '--region', 'lab', '--name', 'cap');
    const refused = await pr.refused('node', 'join', '--subnet', 'cap', '--runtime-profile', 'docker', '--name', 'early', '--state-dir', stateDir('early'));
    assert.equal(refused.code, 'not_admitted');
    assert.ok(!existsSync(join(stateDir('early'), 'node.json')), 'a refused join stores no credential');
    assert.deepEqual((await pr.json<Items<NodeInfo>>('node', 'get')).items, [], 'a refused join registers nothing');

    fleet = (await pr.json<{ id: string }>('fleet', 'create', '--name', 'rack')).id;
    await op.ok('subnet', 'admission', 'grant', '--subnet', 'cap', '--provider-fleet', fleet);
    const a = (await join_('cap', 'a', '--fleet', fleet)).node;
    assert.equal(a.state, 'connected');

    await op.ok('subnet', 'admission', 'set', '--subnet', 'cap', '--type', 'provider', '--mode', 'approval');
    const b = (await join_('cap', 'b')).node;
    assert.equal(b.state, 'pending-admission');
    assert.deepEqual(
      (await admission('cap')).entries.filter((e) => e.type === 'provider').map((e) => [e.subjectKind, e.subjectId, e.state]),
      [
        ['fleet', fleet, 'granted'],
        ['node', b.id, 'requested'],
      ],
    );

    // The builder's work lands only on the admitted node.
    await op.ok('subnet', 'admission', 'grant', '--subnet', 'cap', '--developer-account', ids.builder);
    await bu.ok('subnet', 'approve', 'cap');
    for (const name of ['w1', 'w2', 'w3']) await bu.ok('run', IMAGE, '--name', name, '--subnet', 'cap');
    for (const name of ['w1', 'w2', 'w3']) {
      const placed = await until(`${name} placed`, () => pod(bu, name), (w) => w.status.placement !== undefined);
      assert.equal(placed.status.placement?.node, a.id, `${name} went to a node that is not admitted`);
    }

    await op.ok('subnet', 'admission', 'grant', '--subnet', 'cap', '--provider-node', b.id);
    assert.equal(await nodeState(b.id), 'connected');

    await op.ok('subnet', 'admission', 'revoke', '--subnet', 'cap', '--provider-fleet', fleet);
    assert.equal(await nodeState(a.id), 'pending-admission');
    for (const name of ['w1', 'w2', 'w3']) {
      const moved = await until(`${name} rescheduled off the revoked node`, () => pod(bu, name), (w) => w.status.placement?.node === b.id);
      assert.ok(moved.status.conditions.some((c) => c.type === 'Scheduled'));
    }

    await op.ok('subnet', 'admission', 'set', '--subnet', 'cap', '--type', 'provider', '--mode', 'open');
    assert.equal((await join_('cap', 'c')).node.state, 'connected');
    assert.equal(await nodeState(a.id), 'connected', 'open mode admits every node, the revoked one too');
  });

  test('field case 23: an account not admitted to a subnet cannot place work on its nodes by any field of any request', async () => {
    await op.ok('subnet', 'create', '--region', 'lab', '--name', 'z');
    const slug = (await op.json<{ slug: string }>('subnet', 'get', 'z')).slug;
    await op.ok('subnet', 'admission', 'grant', '--subnet', 'z', '--provider-fleet', fleet);
    const zNode = (await join_('z', 'z1', '--fleet', fleet)).node;
    await bu.ok('subnet', 'approve', 'z');

    const manifest = (name: string, doc: Record<string, unknown>) => {
      const file = join(bu.homedir, `${name}.json`);
      writeFileSync(file, JSON.stringify(doc));
      return file;
    };
    const podSpec = { containers: [{ name: 'main', imageURI: IMAGE }] };
    const attempts: Array<[string, string[], string]> = [
      ['run by bound name', ['run', IMAGE, '--name', 'x1', '--subnet', 'z'], 'not_admitted'],
      ['run by slug', ['run', IMAGE, '--name', 'x2', '--subnet', slug], 'not_admitted'],
      ['deploy with replicas', ['deploy', IMAGE, '--name', 'x3', '--replicas', '3', '--subnet', 'z'], 'not_admitted'],
      ['sandbox', ['create', 'sandbox', '--image', IMAGE, '--ttl', '1h', '--name', 'x4', '--subnet', 'z'], 'not_admitted'],
      ['a microvm class', ['run', IMAGE, '--name', 'x5', '--subnet', 'z', '--isolation-class', 'microvm'], 'not_admitted'],
      ['a requirement naming the node', ['run', IMAGE, '--name', 'x6', '--subnet', 'z', '--require', `hostname=${zNode.name}`], 'not_admitted'],
      ['apply of a Pod', ['apply', '-f', manifest('p', { kind: 'Pod', metadata: { name: 'x7', subnet: 'z' }, spec: podSpec })], 'not_admitted'],
      ['apply of a Deployment', ['apply', '-f', manifest('d', { kind: 'Deployment', metadata: { name: 'x8', subnet: slug }, spec: { replicas: 2, template: { spec: podSpec } } })], 'not_admitted'],
      ['the owner account in the manifest namespace', ['apply', '-f', manifest('ns', { kind: 'Pod', metadata: { name: 'x9', subnet: 'z', namespace: { accountId: ids.operator, namespace: 'default' } }, spec: podSpec })], 'forbidden'],
      ['the owner account in X-Idyl-Account', ['run', IMAGE, '--name', 'x10', '--subnet', 'z', '-a', ids.operator], 'forbidden'],
      ['a node name in the spec', ['apply', '-f', manifest('nn', { kind: 'Pod', metadata: { name: 'x11', subnet: 'z' }, spec: { ...podSpec, nodeName: zNode.id } })], 'validation_failed'],
      // status is read-only: apply ignores it (so that get -o yaml applies back), and admission refuses.
      ['a placement in the status', ['apply', '-f', manifest('st', { kind: 'Pod', metadata: { name: 'x12', subnet: 'z' }, spec: podSpec, status: { placement: { node: zNode.id } } })], 'not_admitted'],
      ['a node label', ['apply', '-f', manifest('lb', { kind: 'Pod', metadata: { name: 'x13', subnet: 'z', labels: { 'idyl.node': zNode.id } }, spec: podSpec })], 'not_admitted'],
    ];
    const wrong: string[] = [];
    for (const [what, args, code] of attempts) {
      const r = await bu.refused(...args);
      if (r.code !== code) wrong.push(`${what}: expected ${code}, got ${r.code} (${r.message})`);
    }
    assert.deepEqual(wrong, []);

    // Work accepted while admitted is not placed again once the grant is gone: the
    // builder's pods, taken off their node, wait with reason not_admitted.
    await op.ok('subnet', 'admission', 'grant', '--subnet', 'z', '--developer-account', ids.builder);
    await bu.ok('deploy', IMAGE, '--name', 'web', '--replicas', '2', '--subnet', 'z');
    const podsOfWeb = async () => (await bu.json<Items<Workload>>('get', 'pods')).items.filter((w) => w.metadata.ownerReferences?.[0]?.name === 'web');
    await until('web placed on z1', podsOfWeb, (ps) => ps.length === 2 && ps.every((w) => w.status.placement?.node === zNode.id));
    await op.ok('subnet', 'admission', 'revoke', '--subnet', 'z', '--developer-account', ids.builder);
    await op.ok('node', 'delete', zNode.id);
    const z2 = (await join_('z', 'z2', '--fleet', fleet)).node;
    const held = await until('web pods held', podsOfWeb, (ps) => ps.length === 2 && ps.every((w) => w.status.conditions.some((c) => c.type === 'Unschedulable' && c.reason === 'not_admitted')));
    await sleep(1000);
    for (const w of await podsOfWeb()) assert.equal(w.status.placement, undefined, `${w.metadata.name} was placed on ${w.status.placement?.node} (z2 is ${z2.id})`);
    assert.equal(held.length, 2);
  });

  test('audit: admission and policy decisions are events with who, what, when, allowed or refused and why', async () => {
    const audit = async (who: CliUser) => (await who.json<Items<EventRecord>>('events', '--type', 'audit', '--limit', '1000')).items;
    const opLog = await audit(op);
    assert.ok(opLog.every((e) => e.type === 'audit' && typeof e.at === 'string'));
    const find = (log: readonly EventRecord[], f: (d: AuditData) => boolean) => log.find((e) => f(e.data as unknown as AuditData));
    const refusedDev = find(opLog, (d) => d.action === 'admission.developer' && !d.allowed && d.actor.accountId === ids.builder);
    assert.ok(refusedDev, "the operator's log shows the builder's refused deploy");
    assert.match((refusedDev.data as unknown as AuditData).reason, /invitation/);
    assert.ok(find(opLog, (d) => d.action === 'admission.developer.grant' && d.allowed && d.target.endsWith(ids.builder)));
    assert.ok(find(opLog, (d) => d.action === 'admission.provider' && !d.allowed && d.actor.accountId === ids.provider), "the provider's refused join");
    assert.ok(find(opLog, (d) => d.action === 'admission.provider.mode' && d.allowed && d.reason === 'mode approval'));
    assert.ok(find(opLog, (d) => d.action === 'subnet.policy.set' && !d.allowed && d.actor.accountId === ids.builder), "the builder's refused policy edit");
    const buLog = await audit(bu);
    assert.ok(find(buLog, (d) => d.action === 'admission.developer' && !d.allowed), 'the builder sees its own refusals');
    assert.ok(!find(buLog, (d) => d.action === 'admission.provider'), "the builder does not see the provider's joins");
    const prLog = await audit(pr);
    assert.ok(find(prLog, (d) => d.action === 'node.credential.issue' && d.allowed), 'the provider sees its node credentials issued');
  });
});
