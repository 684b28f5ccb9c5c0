import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sendJson, type TestDoubleServer } from '../../client/test-double-server.js';
import { CliHarness } from '../test-harness.js';
import { ACCOUNT, node, startDouble, subnet, T0 } from '../test-fixtures.js';

const NOW = new Date('2025-01-03T00:00:00.000Z');

describe('accounts, tokens, fleets, subnets, admission and nodes', () => {
  let double: TestDoubleServer;
  const cli = new CliHarness();
  const run = (args: string[], o: Parameters<CliHarness['run']>[1] = {}) => cli.run(['--realm', double.url, ...args], { now: NOW, ...o });
  before(async () => {
    double = await startDouble();
  });
  after(async () => {
    await double.stop();
    cli.cleanup();
  });

  test('account create prints only the new 12-digit id; -o json the account', async () => {
    double.json('POST /v1/accounts', { id: '210987654321', name: 'team-b', root: false, createdAt: T0 }, 201);
    const r = await run(['account', 'create', '--name', 'team-b']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '210987654321\n');
    assert.deepEqual(double.last('POST /v1/accounts')?.body, { name: 'team-b' });
    assert.equal(JSON.parse((await run(['account', 'create', '--name', 'team-b', '-o', 'json'])).stdout).name, 'team-b');
  });

  test('account get lists accounts, or shows one', async () => {
    double.json('GET /v1/accounts', { items: [{ id: ACCOUNT, name: 'acme', root: true, createdAt: T0 }] });
    double.json(`GET /v1/accounts/${ACCOUNT}`, { id: ACCOUNT, name: 'acme', root: true, createdAt: T0 });
    assert.match((await run(['account', 'get'])).stdout, /^ID +NAME +ROOT +AGE\n123456789012 +acme +yes +2d\n$/);
    assert.equal(JSON.parse((await run(['account', 'get', ACCOUNT, '-o', 'json'])).stdout).id, ACCOUNT);
  });

  test('iam pat create prints the token once; -a sets the account in the body and the header', async () => {
    double.json('POST /v1/tokens', { id: 'tok9', name: 'ci', accountId: '210987654321', createdAt: T0, token: 'idyl_pat_secret' }, 201);
    const r = await run(['iam', 'pat', 'create', '--name', 'ci', '--expires-in', '30d', '-a', '210987654321']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'idyl_pat_secret\n');
    assert.match(r.stderr, /shown once/);
    const req = double.last('POST /v1/tokens');
    assert.deepEqual(req?.body, { name: 'ci', expiresIn: '30d', accountId: '210987654321' });
    assert.equal(req?.headers['x-idyl-account'], '210987654321');
    const j = await run(['iam', 'pat', 'create', '--name', 'ci', '-o', 'json']);
    assert.equal(JSON.parse(j.stdout).token, 'idyl_pat_secret');
    assert.equal(j.stderr, '');
    assert.deepEqual(double.last('POST /v1/tokens')?.body, { name: 'ci' });
  });

  test('iam pat list shows state and expiry; revoke deletes by id', async () => {
    double.json('GET /v1/tokens', {
      items: [
        { id: 't1', name: 'laptop', accountId: ACCOUNT, createdAt: T0, expiresAt: '2025-01-04T00:00:00Z', lastUsedAt: '2025-01-02T23:00:00Z' },
        { id: 't2', name: 'old', accountId: ACCOUNT, createdAt: T0, revokedAt: '2025-01-02T00:00:00Z' },
      ],
    });
    const r = await run(['iam', 'pat', 'list']);
    assert.match(r.stdout, /t1 +laptop +123456789012 +active +in 24h +60m ago/);
    assert.match(r.stdout, /t2 +old +123456789012 +revoked +never +never/);
    double.on('DELETE /v1/tokens/t1', (_q, res) => void res.writeHead(204).end());
    const rv = await run(['iam', 'pat', 'revoke', 't1']);
    assert.equal(rv.code, 0, rv.stderr);
    assert.equal(rv.stdout, '✓ Token t1 revoked\n');
  });

  test('fleet create, get, rename and delete', async () => {
    const fleet = { id: 'f-1', name: 'rack-a', accountId: ACCOUNT, createdAt: T0 };
    double.json('POST /v1/fleets', fleet, 201);
    double.json('GET /v1/fleets', { items: [fleet] });
    double.on('PATCH /v1/fleets/f-1', (req, res) => sendJson(res, 200, { ...fleet, ...(req.body as object) }));
    double.on('DELETE /v1/fleets/f-1', (_q, res) => void res.writeHead(204).end());
    assert.match((await run(['fleet', 'create', '--name', 'rack-a'])).stdout, /f-1 +rack-a/);
    assert.match((await run(['fleet', 'list'])).stdout, /f-1 +rack-a/);
    const renamed = await run(['fleet', 'rename', 'f-1', '--name', 'rack-b', '-o', 'json']);
    assert.deepEqual(double.last('PATCH /v1/fleets/f-1')?.body, { name: 'rack-b' });
    assert.equal(JSON.parse(renamed.stdout).name, 'rack-b');
    assert.equal((await run(['fleet', 'delete', 'f-1'])).code, 0);
  });

  test('subnet get shows the policy and admission modes; approve and unapprove use the approvals routes', async () => {
    double.json('GET /v1/subnets', { items: [subnet('4821', { name: 'edge-a', runtimePolicy: { allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true } }), subnet('77')] });
    const r = await run(['subnet', 'list']);
    assert.match(r.stdout, /^SLUG +NAME +REGION +RUNTIME POLICY +DEVELOPERS +PROVIDERS +AGE\n/);
    assert.match(r.stdout, /4821 +edge-a +us-east +allowed=microvm strict +invite +invite +2d/);
    assert.match(r.stdout, /77 +- +us-east +none +invite/);
    double.json('PUT /v1/approvals/4821', { subnetSlug: '4821', accountId: ACCOUNT, at: T0 });
    double.on('DELETE /v1/approvals/4821', (_q, res) => void res.writeHead(204).end());
    assert.equal((await run(['subnet', 'approve', '4821'])).stdout, '✓ Subnet 4821 approved for deploys\n');
    assert.equal((await run(['subnet', 'unapprove', '4821'])).code, 0);
  });

  test('subnet delete asks on a terminal; a no sends nothing; -y and pipes do not ask', async () => {
    let deletes = 0;
    double.on('DELETE /v1/subnets/77', (_q, res) => {
      deletes++;
      res.writeHead(204).end();
    });
    const no = await run(['subnet', 'delete', '77'], { tty: true, confirm: false });
    assert.equal(no.code, 1);
    assert.match(no.stderr, /^error: cancelled: subnet 77 was not deleted/);
    assert.equal(deletes, 0);
    assert.deepEqual(cli.prompts, ['Delete subnet 77?']);
    assert.equal((await run(['subnet', 'delete', '77'], { tty: true, confirm: true })).code, 0);
    assert.equal((await run(['subnet', 'delete', '77', '-y'], { tty: true })).code, 0);
    assert.equal((await run(['subnet', 'delete', '77'])).code, 0);
    assert.equal(deletes, 3);
    assert.equal(cli.prompts.length, 2);
  });

  test('subnet delete while workloads run there shows the server refusal', async () => {
    double.json('DELETE /v1/subnets/4821', { error: { code: 'conflict', message: 'subnet 4821 still has 2 live workloads' } }, 409);
    const r = await run(['subnet', 'delete', '4821', '-y']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: conflict: subnet 4821 still has 2 live workloads/);
  });

  test('admission get/set/grant/revoke address the subnet of --subnet', async () => {
    double.json('GET /v1/subnets/4821/admission', {
      developer: { mode: 'open' },
      provider: { mode: 'approval' },
      entries: [{ type: 'provider', subjectKind: 'fleet', subjectId: 'f-1', state: 'requested', at: '2025-01-02T00:00:00Z' }],
    });
    const g = await run(['subnet', 'admission', 'get', '--subnet', '4821']);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /developer admission: open\n {2}provider admission: +approval/);
    assert.match(g.stdout, /provider +fleet +f-1 +requested +24h/);

    double.json('PUT /v1/subnets/4821/admission/developer', { developer: { mode: 'invite' } });
    assert.equal((await run(['subnet', 'admission', 'set', '--subnet', '4821', '--type', 'developer', '--mode', 'invite'])).code, 0);
    assert.deepEqual(double.last('PUT /v1/subnets/4821/admission/developer')?.body, { mode: 'invite' });

    double.json('POST /v1/subnets/4821/admission/grants', {}, 201);
    assert.equal((await run(['subnet', 'admission', 'grant', '--subnet', '4821', '--provider-fleet', 'f-1'])).code, 0);
    assert.deepEqual(double.last('POST /v1/subnets/4821/admission/grants')?.body, { providerFleet: 'f-1' });
    assert.equal((await run(['subnet', 'admission', 'grant', '--subnet', '4821', '--developer-account', '210987654321'])).code, 0);
    assert.deepEqual(double.last('POST /v1/subnets/4821/admission/grants')?.body, { developerAccount: '210987654321' });

    double.on('DELETE /v1/subnets/4821/admission/grants/node/n7', (_q, res) => void res.writeHead(204).end());
    assert.equal((await run(['subnet', 'admission', 'revoke', '--subnet', '4821', '--provider-node', 'n7'])).code, 0);
  });

  test('admission commands need --subnet and exactly one subject (usage errors, nothing sent)', async () => {
    const before = double.requests.length;
    assert.equal((await run(['subnet', 'admission', 'get'])).code, 2);
    assert.equal((await run(['subnet', 'admission', 'grant', '--subnet', '4821'])).code, 2);
    assert.equal((await run(['subnet', 'admission', 'grant', '--subnet', '4821', '--provider-fleet', 'f', '--provider-node', 'n'])).code, 2);
    assert.equal(double.requests.length, before);
  });

  test('node get shows profile, class, backend, capacity, GPUs and failed host checks as conditions (field case 29)', async () => {
    double.json('GET /v1/nodes', {
      items: [
        node('n1'),
        node('n2', {
          subnet: 'other',
          subnetSlug: '99',
          runtimeProfile: 'containerd-kata-qemu',
          isolationClass: 'microvm',
          vmmBackend: 'qemu',
          gpus: [
            { id: 'g1', vendor: 'nvidia', vendorId: '0x10de', deviceId: '0x2330', pciAddress: '0000:01:00.0', model: 'h100', mode: 'vfio', named: true },
            { id: 'g2', vendor: 'nvidia', vendorId: '0x10de', deviceId: '0x2330', pciAddress: '0000:02:00.0', model: 'h100', mode: 'vfio', named: true },
          ],
          conditions: [
            { type: 'Ready', status: 'False', reason: 'capability_unverified', message: 'host checks failed: kata.shim', since: T0 },
            { type: 'HostCheckFailed', status: 'True', reason: 'kata.shim', message: 'containerd-shim-kata-qemu-v2 not found', since: T0 },
          ],
        }),
      ],
    });
    const all = await run(['node', 'get']);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^ID +NAME +STATE +RUNTIME PROFILE +CLASS +VMM +PLATFORM +CAPACITY +ALLOCATED +PODS +GPUS +CONDITIONS +AGE\n/);
    assert.match(all.stdout, /n1 +node-n1 +connected +containerd-runc +container +- +linux\/amd64 +4\/8Gi +500m\/512Mi +1 +- +- +2d/);
    assert.match(all.stdout, /n2 +node-n2 +connected +containerd-kata-qemu +microvm +qemu .* 2×h100\(vfio\) +NotReady\(capability_unverified\),HostCheckFailed\(kata\.shim\)/);
    const one = await run(['node', 'list', '--subnet', 'edge-a', '-o', 'json']);
    assert.equal(JSON.parse(one.stdout).items[0].conditions.length, 0);
    assert.deepEqual(JSON.parse(one.stdout).items.map((n: { id: string }) => n.id), ['n1']);
    const none = await run(['node', 'list', '--subnet', 'nowhere']);
    assert.equal(none.stderr, 'No nodes in subnet nowhere.\n');
    double.on('DELETE /v1/nodes/n2', (_q, res) => void res.writeHead(204).end());
    assert.equal((await run(['node', 'delete', 'n2'])).stdout, '✓ Node n2 deleted\n');
  });

  test('node rotate-credential takes a node name as node get and node delete do', async () => {
    double.json('GET /v1/nodes', { items: [node('n1'), node('n2')] });
    double.json('POST /v1/nodes/n2/credential', { credential: 'idyl_node_fresh' });
    const r = await run(['node', 'rotate-credential', 'node-n2', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { node: 'n2', credential: 'idyl_node_fresh' });
    const table = await run(['node', 'rotate-credential', 'node-n2']);
    assert.equal(table.stdout, 'idyl_node_fresh\n');
    assert.match(table.stderr, /New credential of node n2: shown once/);
    assert.equal((await run(['node', 'rotate-credential', 'node-n9'])).code, 1, 'no node of that id or name is not_found');
  });

  test('node workloads and node logs take a node name too', async () => {
    double.json('GET /v1/nodes', { items: [node('n1'), node('n2')] });
    double.json('GET /v1/nodes/n2', node('n2'));
    double.json('GET /v1/nodes/n2/pods', { items: [] });
    double.on('GET /v1/nodes/n2/pods/pod-1/logs', (_q, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from n2\n'));
    const pods = await run(['node', 'workloads', 'node-n2', '-o', 'json']);
    assert.equal(pods.code, 0, pods.stderr);
    assert.deepEqual(JSON.parse(pods.stdout), { items: [] });
    const logs = await run(['node', 'logs', 'node-n2', 'pod-1']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, 'hello from n2\n');
    assert.equal((await run(['node', 'workloads', 'node-n9'])).code, 1, 'no node of that id or name is not_found');
    assert.equal((await run(['node', 'logs', 'node-n9', 'pod-1'])).code, 1);
  });
});
