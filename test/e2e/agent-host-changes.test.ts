import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NodeInfo } from '../../src/api/node.js';
import type { Workload } from '../../src/api/workload.js';
import { ContainerdDriver } from '../../src/agent/runtime/containerd/containerd-driver.js';
import { ApiClient } from '../../src/client/api-client.js';
import { containerdCheck, scratchNamespace, type ScratchNamespace } from '../support/containerd-test-env.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { EditableFixtureHost, FixtureNode } from '../support/fixture-node.js';
import { IdylCli } from '../support/idyl-cli.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { waitUntil } from '../support/wait-until.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';
const SHIM = '/opt/kata/bin/containerd-shim-kata-qemu-v2';
const DEBIAN_13 = 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\nID=debian\n';

const reasons = (w: Workload) => w.status.unschedulable?.reasons ?? {};

/**
 * Field cases 2, 3 and 29 on a running agent: a real control plane (in this process),
 * `bin/idyl` for what the user sees, and a real NodeAgent whose host is a FAKE (a
 * fixture host the test edits: no Kata on this machine) and whose runtime driver is
 * the real containerd in a namespace of its own. Heartbeats are stepped one at a time.
 */
void describeWithDaemons('a running agent whose host changes', [containerdCheck()], () => {
  let server: InProcessServer;
  let cli: IdylCli;
  let api: ApiClient;
  let ns: ScratchNamespace;
  const nodes: FixtureNode[] = [];
  const hosts: EditableFixtureHost[] = [];

  const fixtureNode = async (name: string, host: EditableFixtureHost): Promise<FixtureNode> => {
    const driver = new ContainerdDriver({ socket: '/run/containerd/containerd.sock', namespace: ns.namespace, stateDir: ns.stateDir });
    const node = await FixtureNode.join(server.url, server.rootToken, { subnet: 'kata', name, profile: 'containerd-kata-qemu', host, driver }).catch(async (err: unknown) => {
      await driver.close();
      throw err;
    });
    nodes.push(node);
    return node;
  };
  const pod = (name: string) => api.call<Workload>('workloads.get', { params: { namespace: 'default', kind: 'pods', name } });
  const waitPod = (name: string, what: string, accept: (w: Workload) => boolean) =>
    waitUntil(`pod ${name} ${what}`, async () => {
      const w = await pod(name);
      return accept(w) ? w : false;
    });

  before(async () => {
    // A short interval: the agent sleeps it between the stepped heartbeats.
    server = await startInProcessServer({ settings: { heartbeatIntervalMs: 50 } });
    api = new ApiClient({ realm: server.url, token: server.rootToken, timeoutMs: 15_000 });
    cli = new IdylCli();
    await cli.ok(['login', '--realm', server.url, '--token', server.rootToken]);
    ns = await scratchNamespace();
    await api.call('subnets.create', { body: { region: 'lab-1', name: 'kata', runtimePolicy: { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' } } });
  });
  after(async () => {
    for (const n of nodes) await n.stop();
    await ns?.cleanup();
    for (const h of hosts) h.dispose();
    api?.close();
    cli?.dispose();
    await server?.close();
  });

  it('case 3: the Kata shim disappears while the agent runs; after one heartbeat the node is not eligible, node get names kata.shim, and the pending microvm pod is not sent there', async () => {
    const host = new EditableFixtureHost('kata-qemu-healthy');
    hosts.push(host);
    const node = await fixtureNode('kata-1', host);
    assert.equal((await cli.json<NodeInfo>(['node', 'get', node.id])).verified, true);
    // Pending before the change: it wants the newer OS the coming upgrade brings.
    await cli.ok(['run', IMAGE, '--name', 'case3', '--subnet', 'kata', '--isolation-class', 'microvm', '--require', 'os.version=>=13']);
    await waitPod('case3', 'diagnosed', (w) => reasons(w).requirement_unmet === 1);

    // The upgrade: Debian 13 now, and the package that held the Kata shim is gone.
    host.set({ absent: [SHIM] }, { '/etc/os-release': DEBIAN_13 });
    await node.heartbeatOnce();

    // What `idyl node get` shows after that one heartbeat, with no other in between.
    const view = await cli.json<NodeInfo>(['node', 'get', node.id]);
    assert.equal(view.verified, false);
    const failed = view.conditions.filter((c) => c.type === 'HostCheckFailed');
    assert.deepEqual(failed.map((c) => [c.status, c.reason]), [['True', 'kata.shim']]);
    assert.match(failed[0]?.message ?? '', /containerd-shim-kata-qemu-v2: not found/);
    assert.deepEqual(view.conditions.filter((c) => c.type === 'Ready').map((c) => [c.status, c.reason]), [['False', 'capability_unverified']]);
    const table = await cli.ok(['node', 'get', node.id]);
    assert.match(table.stdout, /HostCheckFailed\(kata\.shim\)/);

    // The requirement is met now, and still the pod goes nowhere: the node is unverified.
    const w = await waitPod('case3', 're-diagnosed against the new report', (x) => reasons(x).capability_unverified === 1);
    assert.deepEqual(reasons(w), { capability_unverified: 1 });
    assert.equal(w.status.phase, 'Pending');
    assert.equal(w.status.placement, undefined);
    assert.deepEqual(node.running, []);
    // A microvm pod submitted now is not sent there either.
    await cli.ok(['run', IMAGE, '--name', 'case3-late', '--subnet', 'kata', '--isolation-class', 'microvm']);
    assert.deepEqual(reasons(await waitPod('case3-late', 'diagnosed', (x) => x.status.unschedulable !== undefined)), { capability_unverified: 1 });
    await node.heartbeatOnce();
    assert.equal((await pod('case3')).status.placement, undefined);
    assert.deepEqual(node.running, []);
  });

  it('case 2: once the shim is back and one heartbeat carries the verified report, the node is eligible and takes the pending pod', async () => {
    const node = nodes[0];
    const host = hosts[0];
    assert.ok(node && host, 'runs after case 3');
    host.set({}, { '/etc/os-release': DEBIAN_13 });
    await node.heartbeatOnce();
    const view = await cli.json<NodeInfo>(['node', 'get', node.id]);
    assert.equal(view.verified, true);
    assert.deepEqual(view.conditions.filter((c) => c.type === 'HostCheckFailed'), []);
    const placed = await waitPod('case3', 'placed', (w) => w.status.placement !== undefined);
    assert.equal(placed.status.placement?.node, node.id);
    assert.equal(placed.status.placement?.runtimeProfile, 'containerd-kata-qemu');
  });

  it('case 2: a host whose installer said done but whose Kata shim is missing cannot join; it joins once the check passes', async () => {
    const host = new EditableFixtureHost('kata-qemu-healthy');
    hosts.push(host);
    host.set({ absent: [SHIM] });
    await assert.rejects(fixtureNode('kata-2', host), (err: { code?: string; message: string; details?: { field?: string; failed?: string[] } }) => {
      assert.equal(err.code, 'validation_failed');
      assert.equal(err.details?.field, 'runtimeProfile');
      assert.deepEqual(err.details?.failed, ['kata.shim']);
      assert.match(err.message, /this host cannot serve containerd-kata-qemu: kata\.shim \(.*containerd-shim-kata-qemu-v2: not found/);
      return true;
    });
    const listed = await cli.json<{ items: NodeInfo[] }>(['node', 'get', '--subnet', 'kata']);
    assert.ok(!listed.items.some((n) => n.name === 'kata-2'), 'a node was registered');
    host.set({});
    const node = await fixtureNode('kata-2', host);
    assert.equal((await cli.json<NodeInfo>(['node', 'get', node.id])).verified, true);
  });

  it('case 15: /dev/kvm stops being read/write for the agent while it runs; after one heartbeat node get names kvm.device and microvm pods stay off the node', async () => {
    const host = new EditableFixtureHost('kata-qemu-healthy');
    hosts.push(host);
    const node = await fixtureNode('kata-kvm', host);
    host.set({ readWrite: [] });
    await node.heartbeatOnce();
    const view = await cli.json<NodeInfo>(['node', 'get', node.id]);
    assert.equal(view.verified, false);
    const failed = view.conditions.filter((c) => c.type === 'HostCheckFailed');
    assert.deepEqual(failed.map((c) => c.reason), ['kvm.device']);
    assert.match(failed[0]?.message ?? '', /\/dev\/kvm/);
    assert.match((await cli.ok(['node', 'get', node.id])).stdout, /HostCheckFailed\(kvm\.device\)/);
    await cli.ok(['run', IMAGE, '--name', 'case15', '--subnet', 'kata', '--isolation-class', 'microvm']);
    // The subnet's other Kata nodes are healthy: the pod goes to one of them, never to this one.
    const w = await waitPod('case15', 'placed', (x) => x.status.placement !== undefined);
    assert.notEqual(w.status.placement?.node, node.id);
    assert.deepEqual(node.running, []);
  });

  it('case 16: a Firecracker host without the block-device snapshotter cannot join, and the refusal names the missing plugin', async () => {
    const host = new EditableFixtureHost('kata-fc-without-devmapper');
    hosts.push(host);
    const driver = new ContainerdDriver({ socket: '/run/containerd/containerd.sock', namespace: ns.namespace, stateDir: ns.stateDir });
    try {
      await assert.rejects(FixtureNode.join(server.url, server.rootToken, { subnet: 'kata', name: 'fc-1', profile: 'containerd-kata-firecracker', host, driver }), (err: { code?: string; message: string; details?: { failed?: string[] } }) => {
        assert.equal(err.code, 'validation_failed');
        assert.deepEqual(err.details?.failed, ['containerd.plugin.devmapper']);
        assert.match(err.message, /devmapper/);
        return true;
      });
    } finally {
      await driver.close();
    }
    const listed = await cli.json<{ items: NodeInfo[] }>(['node', 'get', '--subnet', 'kata']);
    assert.ok(!listed.items.some((n) => n.name === 'fc-1'));
  });
});
