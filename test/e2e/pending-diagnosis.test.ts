import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Workload } from '../../src/api/workload.js';
import { E2eWorld } from '../support/e2e-world.js';
import type { TestNodeClient } from '../support/test-node-client.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

const unschedulable = (w: Workload) => w.status.unschedulable?.reasons ?? {};

/** The counted diagnosis, and the words for a subnet where no node could ever serve the class. */
const SUMMARY = '0/3 nodes eligible: 2 isolation_class_unsupported, 1 node_disconnected; no node in this subnet runs class microvm (profiles containerd-kata-qemu, containerd-kata-firecracker)';
const SUMMARY_RE = SUMMARY.replace(/[()]/g, '\\$&');

/**
 * A microvm pod in a subnet of container nodes stays Pending with the counted
 * diagnosis, which the user sees in `get`, `describe`, `-o json` and a failing
 * `--wait`; the same pod is placed once a verified microvm node registers. The
 * microvm nodes are test node clients with fake reports (no Kata on this machine).
 */
describe('a microvm pod pending on container nodes: the counted diagnosis, then placement on a verified microvm node', () => {
  let world: E2eWorld;
  let docker: TestNodeClient[] = [];
  let silent: TestNodeClient;
  before(async () => {
    world = await E2eWorld.start({ heartbeatTimeout: '2s' });
    await world.subnet('mixed', { allowedIsolationClasses: ['container', 'microvm'] });
    docker = [await world.node('mixed', 'docker', { name: 'docker-a' }), await world.node('mixed', 'docker', { name: 'docker-b' })];
    silent = await world.node('mixed', 'containerd-runc', { name: 'runc-silent', heartbeat: false, connect: false });
  });
  after(async () => {
    await world.dispose();
  });

  it('stays Pending with "0/3 nodes eligible: 2 isolation_class_unsupported, 1 node_disconnected" in get, describe and -o json', async () => {
    const created = await world.cli.json<Workload>(['run', IMAGE, '--name', 'vm1', '--subnet', 'mixed', '--isolation-class', 'microvm']);
    assert.equal(created.status.phase, 'Pending');
    const w = await world.waitFor('pods', 'vm1', 'diagnosed with a disconnected node', (x) => unschedulable(x).node_disconnected === 1);
    assert.equal(w.status.unschedulable?.summary, SUMMARY);
    assert.deepEqual(w.status.unschedulable?.reasons, { isolation_class_unsupported: 2, node_disconnected: 1 });
    const byName = Object.fromEntries((w.status.unschedulable?.nodes ?? []).map((n) => [n.nodeName, n.reason]));
    assert.deepEqual(byName, { 'docker-a': 'isolation_class_unsupported', 'docker-b': 'isolation_class_unsupported', 'runc-silent': 'node_disconnected' });
    assert.ok(w.status.conditions.some((c) => c.type === 'Unschedulable' && c.status === 'True' && c.message === SUMMARY));

    const [table, described, json] = await Promise.all([
      world.cli.ok(['get', 'pods', 'vm1']),
      world.cli.ok(['describe', 'pod', 'vm1']),
      world.cli.json<Workload>(['get', 'pod', 'vm1']),
    ]);
    assert.match(table.stdout, new RegExp(`^vm1\\s+Pending\\s+microvm\\s+-.*${SUMMARY_RE}`, 'm'));
    assert.match(described.stdout, new RegExp(`^Unschedulable:\\s+${SUMMARY_RE}$`, 'm'));
    for (const [name, reason] of Object.entries(byName)) assert.match(described.stdout, new RegExp(`^\\s*${name}\\s+${reason}\\b`, 'm'), `describe shows ${name} ${reason}`);
    assert.deepEqual(json.status.unschedulable?.reasons, w.status.unschedulable?.reasons);
    for (const n of docker) assert.equal(n.assignments().length, 0, 'a container node never got the microvm pod');
  });

  it('--wait exits 1 with code unschedulable and the counted diagnosis', async () => {
    const r = await world.cli.run(['run', IMAGE, '--name', 'vm2', '--subnet', 'mixed', '--isolation-class', 'microvm', '--wait', '--timeout', '2s', '-o', 'json']);
    assert.equal(r.code, 1);
    const err = JSON.parse(r.stderr.trim()) as { error: { code: string; details: { summary: string; reasons: Record<string, number>; nodes: unknown[] } } };
    assert.equal(err.error.code, 'unschedulable');
    assert.equal(err.error.details.summary, SUMMARY);
    assert.deepEqual(err.error.details.reasons, { isolation_class_unsupported: 2, node_disconnected: 1 });
    assert.equal(err.error.details.nodes.length, 3);
    const table = await world.cli.run(['run', IMAGE, '--name', 'vm3', '--subnet', 'mixed', '--isolation-class', 'microvm', '--wait', '--timeout', '1s']);
    assert.equal(table.code, 1);
    assert.match(table.stderr, new RegExp(`^error: unschedulable: .*${SUMMARY_RE}`, 'm'));
    assert.match(table.stderr, /^  docker-a: isolation_class_unsupported \(profile docker serves class container\)$/m);
  });

  it('a Deployment and a Sandbox whose pods fit nowhere show the same diagnosis in get and describe', async () => {
    await world.cli.ok(['deploy', IMAGE, '--name', 'vmd', '--subnet', 'mixed', '--isolation-class', 'microvm', '--replicas', '2']);
    await world.cli.ok(['create', 'sandbox', '--image', IMAGE, '--ttl', '1h', '--name', 'vmsb', '--subnet', 'mixed', '--isolation-class', 'microvm']);
    for (const [kind, name] of [['deployments', 'vmd'], ['sandboxes', 'vmsb']] as const) {
      const w = await world.waitFor(kind, name, 'diagnosed', (x) => x.status.unschedulable?.summary === SUMMARY);
      assert.equal(w.status.phase, 'Pending');
      const [table, described] = await Promise.all([world.cli.ok(['get', kind, name]), world.cli.ok(['describe', kind, name])]);
      assert.match(table.stdout, new RegExp(`^${name}\\s.*${SUMMARY_RE}$`, 'm'), `get ${kind}`);
      assert.match(described.stdout, new RegExp(`^Unschedulable:\\s+${SUMMARY_RE}$`, 'm'), `describe ${kind}`);
    }
  });

  it('is placed, with the full placement record, once a verified containerd-kata-qemu node registers', async () => {
    const qemu = await world.node('mixed', 'containerd-kata-qemu', { name: 'kata-qemu-1' });
    const assigned = await qemu.waitForAssignment((a) => a.name === 'vm1');
    assert.deepEqual(assigned.target, { runtimeProfile: 'containerd-kata-qemu', isolationClass: 'microvm', vmmBackend: 'qemu' });
    assert.deepEqual(assigned.isolation, { class: 'microvm', source: 'explicit' });
    const w = await world.waitFor('pods', 'vm1', 'running', (x) => x.status.phase === 'Running');
    assert.equal(w.status.placement?.node, qemu.id);
    assert.equal(w.status.placement?.nodeName, 'kata-qemu-1');
    assert.equal(w.status.placement?.runtimeProfile, 'containerd-kata-qemu');
    assert.equal(w.status.placement?.isolationClass, 'microvm');
    assert.equal(w.status.placement?.vmmBackend, 'qemu');
    assert.equal(w.status.unschedulable, undefined);
    assert.ok(!w.status.conditions.some((c) => c.type === 'Unschedulable' && c.status === 'True'));
    assert.equal(w.status.observedIsolation?.class, 'microvm');
    const described = await world.cli.ok(['describe', 'pod', 'vm1']);
    assert.match(described.stdout, /kata-qemu-1/);
    assert.match(described.stdout, /containerd-kata-qemu/);
    for (const n of [...docker, silent]) assert.ok(!n.assignments().some((a) => a.name.startsWith('vm')), `${n.name} never got a microvm pod`);
    // The owners' diagnosis goes once their pods are placed.
    for (const [kind, name] of [['deployments', 'vmd'], ['sandboxes', 'vmsb']] as const) {
      await world.waitFor(kind, name, 'running without a diagnosis', (x) => x.status.phase === 'Running' && x.status.unschedulable === undefined);
    }
  });
});

describe('microvm on one backend: only nodes of that backend are eligible', () => {
  let world: E2eWorld;
  before(async () => {
    world = await E2eWorld.start();
    await world.subnet('fc-only', { allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['firecracker'], defaultIsolationClass: 'microvm' });
  });
  after(async () => {
    await world.dispose();
  });

  it('a qemu node is vmm_backend_not_allowed; the pod goes to the firecracker node when one joins', async () => {
    const qemu = await world.node('fc-only', 'containerd-kata-qemu', { name: 'qemu-1' });
    await world.cli.ok(['run', IMAGE, '--name', 'fc1', '--subnet', 'fc-only']);
    const w = await world.waitFor('pods', 'fc1', 'diagnosed', (x) => x.status.unschedulable !== undefined);
    assert.deepEqual(w.status.unschedulable?.reasons, { vmm_backend_not_allowed: 1 });
    const fc = await world.node('fc-only', 'containerd-kata-firecracker', { name: 'fc-1' });
    const a = await fc.waitForAssignment((x) => x.name === 'fc1');
    assert.equal(a.target.vmmBackend, 'firecracker');
    const placed = await world.waitFor('pods', 'fc1', 'running', (x) => x.status.phase === 'Running');
    assert.equal(placed.status.placement?.runtimeProfile, 'containerd-kata-firecracker');
    assert.equal(placed.status.isolation.source, 'subnet-default');
    assert.equal(qemu.assignments().length, 0);
  });
});
