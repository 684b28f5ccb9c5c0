import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeInfo } from '../../src/api/node.js';
import type { Workload } from '../../src/api/workload.js';
import { GIB } from '../../src/scheduler/test-support.js';
import { E2eWorld } from '../support/e2e-world.js';
import { fakeReport, TestNodeClient } from '../support/test-node-client.js';
import { waitUntil } from '../support/wait-until.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

const reasons = (w: Workload) => w.status.unschedulable?.reasons ?? {};
const verdicts = (w: Workload): Record<string, { reason: string; detail: string | undefined }> =>
  Object.fromEntries((w.status.unschedulable?.nodes ?? []).map((n) => [n.nodeName, { reason: n.reason, detail: n.detail }]));

/**
 * Field cases 1, 4, 5, 6, 10, 12 and 28 (shared/cases/field-cases.md) where the user
 * meets them: the real server, bin/idyl, and test node clients for the nodes whose
 * reports must be shaped (fake reports; no Kata on this machine).
 */
describe('field cases at the API and the CLI', () => {
  let world: E2eWorld;
  before(async () => {
    world = await E2eWorld.start({ heartbeatTimeout: '2s' });
  });
  after(async () => {
    await world.dispose();
  });

  it('case 1: a microvm workload in a subnet of docker nodes is never bound; it stays Pending and each node says isolation_class_unsupported', async () => {
    await world.subnet('docker-only');
    const nodes = [await world.node('docker-only', 'docker', { name: 'd1' }), await world.node('docker-only', 'docker', { name: 'd2' })];
    const created = await world.cli.json<Workload>(['run', IMAGE, '--name', 'case1', '--subnet', 'docker-only', '--isolation-class', 'microvm']);
    assert.equal(created.status.phase, 'Pending');
    await world.waitFor('pods', 'case1', 'diagnosed', (w) => reasons(w).isolation_class_unsupported === 2);
    // Another docker node joins: the pod is evaluated again and still never bound.
    nodes.push(await world.node('docker-only', 'docker', { name: 'd3' }));
    const w = await world.waitFor('pods', 'case1', 'evaluated against the third node', (x) => reasons(x).isolation_class_unsupported === 3);
    assert.equal(w.status.phase, 'Pending');
    assert.equal(w.status.placement, undefined);
    assert.deepEqual(Object.keys(reasons(w)), ['isolation_class_unsupported']);
    for (const v of Object.values(verdicts(w))) assert.equal(v.reason, 'isolation_class_unsupported');
    assert.match(String(w.status.unschedulable?.summary), /no node in this subnet runs class microvm/);
    for (const n of nodes) assert.equal(n.assignments().length, 0, `${n.name} was sent the microvm pod`);
  });

  it('case 4: a node that joined but whose agent has not reported since is eligible for nothing; it takes work once it reports', async () => {
    await world.subnet('fresh');
    // `idyl node join` without --start: registered, but no agent heartbeats or streams.
    const joined = await world.node('fresh', 'docker', { name: 'just-joined', heartbeat: false, connect: false });
    const view = await world.cli.json<NodeInfo>(['node', 'get', joined.id]);
    assert.equal(view.state, 'disconnected');
    await world.cli.ok(['run', IMAGE, '--name', 'case4', '--subnet', 'fresh']);
    const w = await world.waitFor('pods', 'case4', 'diagnosed', (x) => x.status.unschedulable !== undefined);
    assert.deepEqual(reasons(w), { node_disconnected: 1 });
    // The agent starts: its first heartbeat carries the report from the live daemons.
    await joined.heartbeat(fakeReport('docker'));
    joined.startHeartbeats(300);
    joined.connect();
    const a = await joined.waitForAssignment((x) => x.name === 'case4');
    assert.equal(a.target.runtimeProfile, 'docker');
  });

  it('case 4: a join whose host checks failed is refused and registers nothing', async () => {
    const unverified = { ...fakeReport('containerd-kata-qemu'), verified: false, checks: [{ name: 'kata.shim', ok: false, detail: 'containerd-shim-kata-qemu-v2 not found' }] };
    await assert.rejects(TestNodeClient.join(world.server.url, world.server.token, { subnet: 'fresh', name: 'unverified', report: unverified }), (err: { code?: string; details?: { field?: string } }) => {
      assert.equal(err.code, 'validation_failed');
      assert.equal(err.details?.field, 'report.verified');
      return true;
    });
    const nodes = await world.cli.json<{ items: NodeInfo[] }>(['node', 'get', '--subnet', 'fresh']);
    assert.deepEqual(nodes.items.map((n) => n.name), ['just-joined']);
  });

  it('case 5: corrupt and contradictory reports fail closed with a reason, never "any node"', async () => {
    await world.subnet('corrupt');
    const contradicts = await world.node('corrupt', 'docker', { name: 'says-verified-but-failed' });
    const otherProfile = await world.node('corrupt', 'docker', { name: 'reports-other-profile' });
    const unreadable = await world.node('corrupt', 'docker', { name: 'unreadable-report', heartbeat: false });
    await contradicts.heartbeat({ ...fakeReport('docker'), checks: [{ name: 'engine', ok: false, detail: 'docker.sock refused' }] });
    await otherProfile.heartbeat(fakeReport('containerd-runc'));
    // A report the server cannot read is refused, naming the field; with every heartbeat refused, the node goes silent.
    const refused = await world.raw('POST', `/v1/nodes/${unreadable.id}/heartbeat`, { token: unreadable.credential, body: { report: { ...fakeReport('docker'), capacity: { cpuMillis: 'lots', memoryBytes: GIB } } } });
    assert.equal(refused.status, 400);
    assert.equal((refused.json as { error: { code: string; details: { field: string } } }).error.details.field, 'report.capacity.cpuMillis');
    await waitUntil('the node with refused heartbeats to be disconnected', async () => (await world.api.call<NodeInfo>('nodes.get', { params: { node: unreadable.id } })).state === 'disconnected', 8_000);
    await world.cli.ok(['run', IMAGE, '--name', 'case5', '--subnet', 'corrupt']);
    const w = await world.waitFor('pods', 'case5', 'diagnosed', (x) => x.status.unschedulable !== undefined);
    assert.deepEqual(reasons(w), { capability_unverified: 2, node_disconnected: 1 });
    const v = verdicts(w);
    assert.match(String(v['says-verified-but-failed']?.detail), /claims verified but host checks failed: engine/);
    assert.match(String(v['reports-other-profile']?.detail), /report says profile containerd-runc but the node joined as docker/);
    for (const n of [contradicts, otherProfile, unreadable]) assert.equal(n.assignments().length, 0, `${n.name} got work`);
    const nodes = await world.cli.ok(['node', 'get', '--subnet', 'corrupt']);
    assert.match(nodes.stdout, /says-verified-but-failed.*HostCheckFailed\(engine\)/);
  });

  it('case 6: a workload pending for a require no node meets names that requirement', async () => {
    await world.subnet('cuda');
    await world.node('cuda', 'docker', { name: 'cuda-12', reportOverrides: { attributes: { cuda: '12.4' } } });
    await world.node('cuda', 'docker', { name: 'no-cuda' });
    await world.cli.ok(['run', IMAGE, '--name', 'case6', '--subnet', 'cuda', '--require', 'cuda=>=13.0']);
    const w = await world.waitFor('pods', 'case6', 'diagnosed', (x) => x.status.unschedulable !== undefined);
    assert.equal(w.status.unschedulable?.summary, '0/2 nodes eligible: 2 requirement_unmet (cuda >=13.0)');
    const v = verdicts(w);
    assert.match(String(v['cuda-12']?.detail), /cuda/);
    assert.match(String(v['cuda-12']?.detail), /12\.4/);
    const described = await world.cli.ok(['describe', 'pod', 'case6']);
    assert.match(described.stdout, /2 requirement_unmet \(cuda >=13\.0\)/);
    assert.match(described.stdout, /^\s*no-cuda\s+requirement_unmet\b/m);
  });

  it('case 10: a strict subnet refuses a workload without a class on every path, never defaults it', async () => {
    await world.subnet('strict', { allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true });
    const podManifest = ['kind: Pod', 'metadata: {name: case10-apply, subnet: strict}', 'spec:', '  containers:', `    - imageURI: ${IMAGE}`].join('\n');
    const attempts = await Promise.all([
      world.cli.fails(['run', IMAGE, '--name', 'case10-run', '--subnet', 'strict']),
      world.cli.fails(['deploy', IMAGE, '--name', 'case10-deploy', '--subnet', 'strict', '--replicas', '2']),
      world.cli.fails(['create', 'sandbox', '--image', IMAGE, '--ttl', '1h', '--name', 'case10-sbx', '--subnet', 'strict']),
      world.cli.fails(['apply', '-f', '-'], { stdin: podManifest }),
    ]);
    for (const a of attempts) {
      assert.equal(a.code, 1);
      assert.equal(a.error.code, 'isolation_class_required');
      assert.match(a.error.message, /requires every workload to state its isolation class/);
    }
    const api = await world.raw('POST', '/v1/namespaces/default/workloads', { body: { kind: 'Pod', metadata: { name: 'case10-api', subnet: 'strict' }, spec: { containers: [{ imageURI: IMAGE }] } } });
    assert.equal(api.status, 422);
    for (const kind of ['pods', 'deployments', 'sandboxes']) {
      assert.ok(!(await world.list(kind)).some((w) => w.metadata.name.startsWith('case10')), `a ${kind} was stored`);
    }
  });

  it('case 12: an unknown class value is refused with invalid_isolation_class and the valid values', async () => {
    const r = await world.cli.run(['run', IMAGE, '--name', 'case12', '--subnet', 'docker-only', '--isolation-class', 'hardened']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: invalid_isolation_class: "hardened" is not an isolation class \(valid: container, microvm\)/m);
    assert.match(r.stderr, /^ {2}allowed: container, microvm$/m);
    const api = await world.raw('PUT', '/v1/namespaces/default/workloads/pods/case12', {
      body: { kind: 'Pod', metadata: { name: 'case12', subnet: 'docker-only' }, spec: { isolation: { class: 'Microvm' }, containers: [{ imageURI: IMAGE }] } },
    });
    assert.equal(api.status, 400);
    const err = (api.json as { error: { code: string; details: { allowed: string[]; hint: string } } }).error;
    assert.equal(err.code, 'invalid_isolation_class');
    assert.deepEqual(err.details.allowed, ['container', 'microvm']);
    assert.match(err.details.hint, /lower case/);
  });

  it('case 28: a node with 1 GiB free does not take a 900 MiB microvm request once the VM overhead counts', async () => {
    await world.subnet('small', { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' });
    const small = await world.node('small', 'containerd-kata-qemu', { name: 'qemu-1gi', reportOverrides: { capacity: { cpuMillis: 4000, memoryBytes: 1 * GIB } } });
    await world.cli.ok(['run', IMAGE, '--name', 'case28', '--subnet', 'small', '--memory', '900Mi']);
    const w = await world.waitFor('pods', 'case28', 'diagnosed', (x) => x.status.unschedulable !== undefined);
    assert.deepEqual(reasons(w), { insufficient_memory: 1 });
    assert.match(String(verdicts(w)['qemu-1gi']?.detail), /900Mi \+ 160Mi microVM overhead/);
    // What does fit with the overhead is placed: 800Mi + 160Mi ≤ 1Gi.
    await world.cli.ok(['run', IMAGE, '--name', 'case28-fits', '--subnet', 'small', '--memory', '800Mi']);
    await small.waitForAssignment((a) => a.name === 'case28-fits');
    assert.equal(small.assignments().some((a) => a.name === 'case28'), false);
  });
});
