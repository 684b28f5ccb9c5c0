import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeInfo } from '../../src/api/node.js';
import type { Workload } from '../../src/api/workload.js';
import { gpuDevice } from '../../src/scheduler/test-support.js';
import { E2eWorld } from '../support/e2e-world.js';
import { fakeReport } from '../support/test-node-client.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';
const H100 = { ...gpuDevice('GPU-7f3c0001-0000-0000-0000-000000000001', 'h100', 'host-driver'), pciAddress: '0000:3b:00.0' };

const reasons = (w: Workload) => w.status.unschedulable?.reasons ?? {};

/**
 * Field case 22 (shared/cases/field-cases.md): a node whose capability report changes
 * (a new GPU, a GPU rebound to another mode, a different runtime profile) is evaluated
 * again on the new report before it gets work that depends on the change. The nodes are
 * test node clients with FAKE reports; the control plane is real.
 */
describe('field case 22: a changed capability report is evaluated again before work depends on it', () => {
  let world: E2eWorld;
  before(async () => {
    world = await E2eWorld.start({ heartbeatTimeout: '2s' });
  });
  after(async () => {
    await world.dispose();
  });

  it('a GPU pod pending for want of a GPU is placed once the node reports one, and a GPU rebound to vfio takes no container GPU pod', async () => {
    await world.subnet('gpu-later');
    const node = await world.node('gpu-later', 'docker', { name: 'no-gpu-yet' });
    await world.cli.ok(['run', IMAGE, '--name', 'case22-gpu', '--subnet', 'gpu-later', '--gpu', 'H100']);
    const pending = await world.waitFor('pods', 'case22-gpu', 'diagnosed', (w) => w.status.unschedulable !== undefined);
    assert.deepEqual(reasons(pending), { gpu_unavailable: 1 });
    assert.equal(node.assignments().length, 0);

    // The provider installs a GPU: the next heartbeat carries it, and the pending pod is placed on it.
    await node.heartbeat(fakeReport('docker', { gpus: [H100] }));
    const a = await node.waitForAssignment((x) => x.name === 'case22-gpu');
    assert.deepEqual(a.target.gpus, [H100.id]);
    const placed = await world.waitFor('pods', 'case22-gpu', 'running with the GPU', (w) => w.status.phase === 'Running');
    assert.deepEqual(placed.status.placement?.gpus, [H100.id]);

    // Another GPU appears, bound to vfio-pci: it is not offered to a container pod.
    const vfio = { ...gpuDevice('pci-0000:41:00.0', 'h100', 'vfio'), pciAddress: '0000:41:00.0' };
    await node.heartbeat(fakeReport('docker', { gpus: [H100, vfio] }));
    await world.cli.ok(['run', IMAGE, '--name', 'case22-second', '--subnet', 'gpu-later', '--gpu', 'h100']);
    const second = await world.waitFor('pods', 'case22-second', 'diagnosed', (w) => w.status.unschedulable !== undefined);
    assert.deepEqual(reasons(second), { gpu_mode_mismatch: 1 });
    assert.equal(node.assignments().some((x) => x.name === 'case22-second'), false, 'a container pod was sent to a vfio GPU');
    const shown = await world.cli.json<NodeInfo>(['node', 'get', node.id]);
    assert.deepEqual(shown.gpus.map((g) => [g.id, g.mode]), [[H100.id, 'host-driver'], [vfio.id, 'vfio']]);
  });

  it('a node whose report turns to a microVM profile it did not join with gets no microvm work: it is unverified until it joins again', async () => {
    await world.subnet('reprofiled', { allowedIsolationClasses: ['container', 'microvm'] });
    const node = await world.node('reprofiled', 'containerd-runc', { name: 'became-kata' });
    await world.cli.ok(['run', IMAGE, '--name', 'case22-before', '--subnet', 'reprofiled', '--isolation-class', 'container']);
    await node.waitForAssignment((x) => x.name === 'case22-before');

    await node.heartbeat(fakeReport('containerd-kata-qemu'));
    await world.cli.ok(['run', IMAGE, '--name', 'case22-vm', '--subnet', 'reprofiled', '--isolation-class', 'microvm']);
    await world.cli.ok(['run', IMAGE, '--name', 'case22-after', '--subnet', 'reprofiled', '--isolation-class', 'container']);
    for (const name of ['case22-vm', 'case22-after']) {
      const w = await world.waitFor('pods', name, 'diagnosed', (x) => x.status.unschedulable !== undefined);
      assert.deepEqual(reasons(w), { capability_unverified: 1 }, name);
      assert.match(String(w.status.unschedulable?.nodes[0]?.detail), /report says profile containerd-kata-qemu but the node joined as containerd-runc/);
    }
    assert.deepEqual(node.assignments().map((x) => x.name), ['case22-before']);

    // It reports its own profile again: it takes container work, and still no microvm work.
    await node.heartbeat(fakeReport('containerd-runc'));
    await node.waitForAssignment((x) => x.name === 'case22-after');
    const vm = await world.waitFor('pods', 'case22-vm', 'diagnosed on the restored report', (w) => reasons(w).isolation_class_unsupported === 1);
    assert.equal(vm.status.phase, 'Pending');
    assert.equal(node.assignments().some((x) => x.name === 'case22-vm'), false, 'the microvm pod was sent to a runc node');
  });
});
