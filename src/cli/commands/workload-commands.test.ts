import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Workload } from '../../api/workload.js';
import { sendJson, type TestDoubleServer } from '../../client/test-double-server.js';
import { CliHarness } from '../test-harness.js';
import { startDouble, workload } from '../test-fixtures.js';
import { sandboxName } from '../workload/sandbox-name.js';

const NOW = new Date('2025-01-01T00:05:00.000Z');

test('sandbox names come from the image: tag kept, registry, path and digest dropped, always a DNS label', () => {
  assert.equal(sandboxName('ubuntu:24.04', 'a1b2c3'), 'ubuntu-24-04-sandbox-a1b2c3');
  assert.equal(sandboxName('127.0.0.1:5000/idyl/busybox:1.35', 'a1b2c3'), 'busybox-1-35-sandbox-a1b2c3');
  assert.equal(sandboxName('ghcr.io/x/Importer@sha256:' + 'a'.repeat(64), 'a1b2c3'), 'importer-sandbox-a1b2c3');
  const long = sandboxName('x'.repeat(200), 'a1b2c3');
  assert.ok(long.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(long), long);
  assert.match(sandboxName('busybox'), /^busybox-sandbox-[0-9a-f]{6}$/);
});

describe('get, describe, delete, apply, logs, events', () => {
  let double: TestDoubleServer;
  const cli = new CliHarness();
  const dir = mkdtempSync(join(tmpdir(), 'idyl-apply-'));
  const run = (args: string[], o: Parameters<CliHarness['run']>[1] = {}) => cli.run(['--realm', double.url, ...args], { now: NOW, ...o });

  const owned = workload('Pod', 'web-7f9c2', { phase: 'Running', placement: { node: 'n1', nodeName: 'node-a', runtimeProfile: 'containerd-runc', isolationClass: 'container', at: '2025-01-01T00:00:00Z' } });
  const ownedPod: Workload = { ...owned, metadata: { ...owned.metadata, ownerReferences: [{ kind: 'Deployment', name: 'web', id: 'w-web' }] } };

  before(async () => {
    double = await startDouble();
    double.json('GET /v1/namespaces/default/workloads/pods', { items: [ownedPod, workload('Pod', 'solo')] });
  });
  after(async () => {
    await double.stop();
    cli.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('get pods lists pods with their owner, node and age', async () => {
    const r = await run(['get', 'pods']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^NAME +PHASE +CLASS +NODE +OWNER +RESTARTS +AGE +REASON$/);
    assert.match(lines[1] ?? '', /^web-7f9c2 +Running +container +node-a +Deployment\/web +0 +5m +-$/);
    assert.match(lines[2] ?? '', /^solo +Pending +container +- +- +0 +5m +-$/);
  });

  test('get accepts singular and short kinds, and -o json of one pod is the pod itself', async () => {
    double.json('GET /v1/namespaces/default/workloads/pods/solo', workload('Pod', 'solo'));
    for (const word of ['pod', 'po', 'Pod']) {
      const r = await run(['get', word, 'solo', '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).metadata.name, 'solo');
    }
    const list = await run(['get', 'pods', '-o', 'json']);
    assert.deepEqual(JSON.parse(list.stdout).items.map((w: Workload) => w.metadata.ownerReferences?.[0]?.name ?? null), ['web', null]);
  });

  test('an empty list says so on stderr and prints nothing on stdout', async () => {
    double.json('GET /v1/namespaces/default/workloads/sandboxes', { items: [] });
    const r = await run(['get', 'sandboxes']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'No sandboxes found in namespace default.\n');
  });

  test('describe shows isolation, the placement record and recent events (field case 27)', async () => {
    double.json('GET /v1/namespaces/default/workloads/pods/web-7f9c2', {
      ...ownedPod,
      status: {
        ...ownedPod.status,
        isolation: { class: 'microvm', source: 'subnet-default' },
        placement: { node: 'n9', nodeName: 'kata-1', runtimeProfile: 'containerd-kata-qemu', isolationClass: 'microvm', vmmBackend: 'qemu', gpus: ['GPU-1'], at: '2025-01-01T00:00:00Z' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'Running', message: 'container runs', lastTransitionTime: '2025-01-01T00:00:00Z' }],
      },
    });
    double.json('GET /v1/events', {
      items: [
        { revision: 7, at: '2025-01-01T00:01:00Z', type: 'workload.scheduled', subject: { kind: 'Pod', id: 'w-web-7f9c2', name: 'web-7f9c2' }, message: 'placed on kata-1' },
        { revision: 8, at: '2025-01-01T00:02:00Z', type: 'workload.created', subject: { kind: 'Pod', id: 'w-other', name: 'other' }, message: 'not mine' },
      ],
    });
    const r = await run(['describe', 'pod', 'web-7f9c2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Isolation: +microvm \(subnet-default\)/);
    assert.match(r.stdout, /Placement: +node kata-1 · containerd-kata-qemu · microvm · qemu · gpus GPU-1/);
    assert.match(r.stdout, /Owner: +Deployment\/web/);
    assert.match(r.stdout, /Ready +True +Running +container runs/);
    assert.match(r.stdout, /workload\.scheduled +placed on kata-1/);
    assert.doesNotMatch(r.stdout, /not mine/);
    assert.equal(double.last('GET /v1/events')?.query.subject, 'w-web-7f9c2');
    const j = JSON.parse((await run(['describe', 'pod', 'web-7f9c2', '-o', 'json'])).stdout);
    assert.equal(j.status.placement.runtimeProfile, 'containerd-kata-qemu');
    assert.equal(j.events.length, 1);
  });

  test('describe of a pending workload lists the per-node reasons', async () => {
    double.json('GET /v1/namespaces/default/workloads/pods/pend', workload('Pod', 'pend', {
      conditions: [{ type: 'Unschedulable', status: 'True', reason: 'NoEligibleNode', message: '0/2 nodes eligible', lastTransitionTime: '2025-01-01T00:00:00Z' }],
      unschedulable: { summary: '0/2 nodes eligible: 1 insufficient_memory, 1 node_disconnected', reasons: { insufficient_memory: 1, node_disconnected: 1 }, nodes: [{ node: 'n1', nodeName: 'a', reason: 'insufficient_memory', detail: '900Mi + 160Mi overhead > 1Gi free' }, { node: 'n2', reason: 'node_disconnected' }] },
    }));
    const r = await run(['describe', 'pods', 'pend']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Unschedulable: +0\/2 nodes eligible: 1 insufficient_memory, 1 node_disconnected/);
    assert.match(r.stdout, /a +insufficient_memory +900Mi \+ 160Mi overhead > 1Gi free/);
    assert.match(r.stdout, /n2 +node_disconnected/);
  });

  test('delete removes the workload by kind and name', async () => {
    double.on('DELETE /v1/namespaces/default/workloads/deployments/web', (_r, res) => void res.writeHead(204).end());
    const r = await run(['delete', 'deployment', 'web']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '✓ Deployment web deleted\n');
    const j = await run(['delete', 'deploy', 'web', '-o', 'json']);
    assert.deepEqual(JSON.parse(j.stdout), { kind: 'Deployment', name: 'web', namespace: 'default', deleted: true });
  });

  test('apply -f sends every document with PUT; flags beat the manifest, the manifest beats the context', async () => {
    const applied: Array<{ path: string; body: Record<string, unknown>; account: unknown }> = [];
    for (const path of ['/v1/namespaces/team/workloads/deployments/web', '/v1/namespaces/default/workloads/sandboxes/box', '/v1/namespaces/cli/workloads/deployments/web', '/v1/namespaces/cli/workloads/sandboxes/box']) {
      double.on(`PUT ${path}`, (req, res) => {
        applied.push({ path, body: req.body as Record<string, unknown>, account: req.headers['x-idyl-account'] });
        const b = req.body as { kind: Workload['kind']; metadata: { name: string } };
        sendJson(res, 200, { action: 'created', workload: workload(b.kind, b.metadata.name) });
      });
    }
    const file = join(dir, 'app.yaml');
    writeFileSync(
      file,
      [
        'kind: Deployment',
        'metadata:',
        '  name: web',
        '  subnet: edge-a',
        '  namespace: {accountId: "555555555555", namespace: team}',
        'spec:',
        '  replicas: 2',
        '  template: {spec: {containers: [{imageURI: nginx}]}}',
        '---',
        '---',
        'kind: Sandbox',
        'metadata: {name: box}',
        'spec: {ttl: 1h, template: {spec: {containers: [{imageURI: ubuntu}], isolation: {class: microvm}}}}',
        '',
      ].join('\n'),
    );
    const r = await run(['apply', '-f', file, '--subnet', 'ctx-subnet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '✓ Deployment web created\n✓ Sandbox box created\n');
    assert.deepEqual(applied.map((a) => a.path), ['/v1/namespaces/team/workloads/deployments/web', '/v1/namespaces/default/workloads/sandboxes/box']);
    assert.deepEqual(applied[0]?.body.metadata, { name: 'web', subnet: 'ctx-subnet', namespace: 'team' });
    assert.equal(applied[0]?.account, '555555555555');
    assert.deepEqual((applied[0]?.body.spec as { replicas: number }).replicas, 2);
    assert.deepEqual(applied[1]?.body.metadata, { name: 'box', namespace: 'default', subnet: 'ctx-subnet' });

    applied.length = 0;
    const stdin = await run(['apply', '-f', '-', '-n', 'cli', '-o', 'json'], { stdin: 'kind: Deployment\nmetadata: {name: web, subnet: edge-a, namespace: team}\nspec: {template: {spec: {containers: [{imageURI: nginx}]}}}\n' });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.deepEqual(applied.map((a) => a.path), ['/v1/namespaces/cli/workloads/deployments/web']);
    assert.deepEqual(applied[0]?.body.metadata, { name: 'web', subnet: 'edge-a', namespace: 'cli' });
    assert.equal(JSON.parse(stdin.stdout).items[0].action, 'created');
  });

  test('apply stops at the first refused document and names it', async () => {
    double.json('PUT /v1/namespaces/default/workloads/pods/bad', { error: { code: 'isolation_class_required', message: 'subnet 4821 requires an explicit isolation class' } }, 422);
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'kind: Sandbox\nmetadata: {name: box}\nspec: {ttl: 1h, template: {spec: {containers: [{imageURI: u}]}}}\n---\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: [{imageURI: u}]}\n');
    const r = await run(['apply', '-f', file, '-o', 'json']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const e = JSON.parse(r.stderr).error;
    assert.equal(e.code, 'isolation_class_required');
    assert.equal(e.message, 'document 2 (Pod bad): subnet 4821 requires an explicit isolation class');
    assert.deepEqual(e.details.applied, ['Sandbox/box created']);
  });

  test('apply: a missing file is a usage error, a document without kind is validation_failed', async () => {
    assert.equal((await run(['apply', '-f', join(dir, 'nope.yaml')])).code, 2);
    const file = join(dir, 'nokind.yaml');
    writeFileSync(file, 'metadata: {name: x}\n');
    const r = await run(['apply', '-f', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: validation_failed: document 1: kind: required/);
  });

  test('apply: a YAML alias bomb is not valid YAML (validation_failed, exit 1), not a fault of the CLI', async () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g'].entries()) {
      const prev = 'abcdefg'[i];
      levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(', ')}]`);
    }
    const r = await run(['apply', '-f', '-', '-o', 'json'], { stdin: `${levels.join('\n')}\n` });
    assert.equal(r.code, 1, r.stderr);
    const e = JSON.parse(r.stderr).error;
    assert.equal(e.code, 'validation_failed');
    assert.match(e.message, /^document 1: not valid YAML: /);
  });

  test('apply: a list as get -o yaml prints it sends each item; read-only fields travel to the server, which ignores them', async () => {
    const sent: Array<{ path: string; body: { metadata: Record<string, unknown>; status?: unknown } }> = [];
    double.on('PUT /v1/namespaces/default/workloads/pods/solo', (req, res) => {
      sent.push({ path: req.path, body: req.body as (typeof sent)[number]['body'] });
      sendJson(res, 200, { action: 'unchanged', workload: workload('Pod', 'solo') });
    });
    const r = await run(['apply', '-f', '-', '-o', 'json'], { stdin: JSON.stringify({ items: [workload('Pod', 'solo')] }) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sent.length, 1);
    assert.ok(sent[0]?.body.status !== undefined);
    assert.equal(JSON.parse(r.stdout).items[0].action, 'unchanged');
  });

  test('logs streams the output; a bare name falls back from pods to sandboxes; -f asks the server to follow', async () => {
    double.on('GET /v1/namespaces/default/workloads/sandboxes/box/logs', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`hello from box${req.query.follow ? ' (following)' : ''}\n`);
    });
    const r = await run(['logs', 'box']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello from box\n');
    const f = await run(['logs', 'sandbox/box', '-f', '--tail', '10']);
    assert.equal(f.stdout, 'hello from box (following)\n');
    assert.deepEqual(double.last('GET /v1/namespaces/default/workloads/sandboxes/box/logs')?.query, { follow: 'true', tail: '10' });
    const missing = await run(['logs', 'ghost']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: not_found: /);
  });

  test('events lists the log; -f prints the recent ones, then streams new ones once each', async () => {
    const ev = (revision: number, type = 'workload.scheduled') => ({ revision, at: '2025-01-01T00:00:00Z', type, subject: { kind: 'Pod', id: 'p', name: 'web' }, message: `event ${revision}` });
    double.on('GET /v1/events', (req, res) => {
      if (req.query.follow !== 'true') return sendJson(res, 200, { items: [ev(1), ev(2)] });
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // The server may resend the event at `since`; the CLI prints it once.
      res.end(`${JSON.stringify(ev(2))}\n${JSON.stringify(ev(3))}\n`);
    });
    const list = await run(['events', '--type', 'workload.scheduled']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^REVISION +AGE +TYPE +SUBJECT +MESSAGE\n1 +5m/);
    assert.equal(double.last('GET /v1/events')?.query.type, 'workload.scheduled');

    const ac = new AbortController();
    const follow = cli.run(['--realm', double.url, 'events', '-f', '-o', 'json'], { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    const r = await follow;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { revision: number });
    assert.deepEqual(lines.map((e) => e.revision), [1, 2, 3]);
    const followReq = double.requests.find((q) => q.path === '/v1/events' && q.query.follow === 'true');
    assert.equal(followReq?.query.since, '2');
  });
});
