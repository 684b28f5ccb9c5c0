import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeVerdict, PlacementReason } from '../api/placement.js';
import { buildUnschedulable } from './diagnosis.js';
import { Scheduler } from './scheduler.js';
import { nodeView, podToPlace, verifiedReport } from './test-support.js';

const verdicts = (...reasons: PlacementReason[]): NodeVerdict[] => reasons.map((reason, i) => ({ node: `n${i}`, nodeName: `node-${i}`, reason }));

describe('buildUnschedulable: the summary people read', () => {
  it('counts in descending order', () => {
    const d = buildUnschedulable(verdicts('node_disconnected', 'isolation_class_unsupported', 'isolation_class_unsupported', 'node_disconnected', 'isolation_class_unsupported'), [], {});
    assert.equal(d.summary, '0/5 nodes eligible: 3 isolation_class_unsupported, 2 node_disconnected');
    assert.deepEqual(d.reasons, { isolation_class_unsupported: 3, node_disconnected: 2 });
    assert.equal(d.nodes.length, 5);
  });

  it('breaks ties in check order', () => {
    const d = buildUnschedulable(verdicts('requirement_unmet', 'insufficient_memory', 'node_not_admitted', 'platform_mismatch'), [], {});
    assert.equal(d.summary, '0/4 nodes eligible: 1 node_not_admitted, 1 platform_mismatch, 1 insufficient_memory, 1 requirement_unmet');
  });

  it('names unmet requirements after their count', () => {
    const d = buildUnschedulable(verdicts('requirement_unmet', 'requirement_unmet'), ['cuda >=13.0'], {});
    assert.equal(d.summary, '0/2 nodes eligible: 2 requirement_unmet (cuda >=13.0)');
  });

  it('says when the subnet has no nodes', () => {
    assert.equal(buildUnschedulable([], [], {}).summary, '0/0 nodes eligible: the subnet has no nodes');
  });

  it('says when no node in the subnet runs the class', () => {
    const d = buildUnschedulable(verdicts('isolation_class_unsupported', 'node_disconnected'), [], { missingClass: 'microvm' });
    assert.equal(
      d.summary,
      '0/2 nodes eligible: 1 node_disconnected, 1 isolation_class_unsupported; no node in this subnet runs class microvm (profiles containerd-kata-qemu, containerd-kata-firecracker)',
    );
    const c = buildUnschedulable(verdicts('isolation_class_unsupported'), [], { missingClass: 'container' });
    assert.match(c.summary, /no node in this subnet runs class container \(profiles docker, containerd-runc\)$/);
  });

  it('says when no microvm node runs an allowed backend', () => {
    const d = buildUnschedulable(verdicts('vmm_backend_not_allowed'), [], { missingBackends: ['firecracker'] });
    assert.equal(d.summary, '0/1 nodes eligible: 1 vmm_backend_not_allowed; no node in this subnet runs class microvm on an allowed backend (firecracker: profile containerd-kata-firecracker)');
  });
});

describe('the scheduler diagnosis over a subnet', () => {
  it('a pod for a subnet without nodes', () => {
    const d = new Scheduler({ nodes: [nodeView('n1', 'docker', { subnetId: 'other' })] }).place(podToPlace('p', 'container'));
    assert.ok(!d.placed);
    if (d.placed) return;
    assert.equal(d.unschedulable.summary, '0/0 nodes eligible: the subnet has no nodes');
  });

  it('counts only the nodes of the pod\'s subnet and lists each with its reason', () => {
    const nodes = [
      nodeView('b', 'docker'),
      nodeView('a', 'containerd-kata-qemu', { connected: false }),
      nodeView('c', 'containerd-runc'),
      nodeView('x', 'containerd-kata-qemu', { subnetId: 'other' }),
    ];
    const d = new Scheduler({ nodes }).place(podToPlace('p', 'microvm'));
    assert.ok(!d.placed);
    if (d.placed) return;
    assert.equal(d.unschedulable.summary, '0/3 nodes eligible: 2 isolation_class_unsupported, 1 node_disconnected');
    assert.deepEqual(
      d.unschedulable.nodes.map((n) => [n.node, n.reason]),
      [['a', 'node_disconnected'], ['b', 'isolation_class_unsupported'], ['c', 'isolation_class_unsupported']],
    );
  });

  it('a claimed but unverified microvm node means the class is not missing from the subnet', () => {
    const nodes = [nodeView('a', 'docker'), nodeView('b', 'containerd-kata-qemu', { report: { ...verifiedReport('containerd-kata-qemu'), verified: false } })];
    const d = new Scheduler({ nodes }).place(podToPlace('p', 'microvm'));
    assert.ok(!d.placed);
    if (d.placed) return;
    assert.equal(d.unschedulable.summary, '0/2 nodes eligible: 1 capability_unverified, 1 isolation_class_unsupported');
  });

  it('says when the allowed backend runs nowhere in the subnet', () => {
    const nodes = [nodeView('a', 'containerd-kata-qemu'), nodeView('b', 'docker')];
    const policy = { allowedIsolationClasses: ['microvm' as const], allowedVMMBackends: ['firecracker' as const] };
    const d = new Scheduler({ nodes }).place(podToPlace('p', 'microvm', { subnetPolicy: policy }));
    assert.ok(!d.placed);
    if (d.placed) return;
    assert.match(d.unschedulable.summary, /^0\/2 nodes eligible: 1 isolation_class_unsupported, 1 vmm_backend_not_allowed; no node in this subnet runs class microvm on an allowed backend/);
  });

  it('gives the same diagnosis to every pod that fits nowhere for static reasons', () => {
    const s = new Scheduler({ nodes: [nodeView('a', 'docker'), nodeView('b', 'docker')] });
    const one = s.place(podToPlace('p1', 'microvm'));
    const two = s.place(podToPlace('p2', 'microvm', { requests: { cpuMillis: 1, memoryBytes: 1 } }));
    assert.ok(!one.placed && !two.placed);
    if (one.placed || two.placed) return;
    assert.deepEqual(one.unschedulable, two.unschedulable);
    assert.ok(Object.isFrozen(one.unschedulable) && Object.isFrozen(one.unschedulable.nodes));
  });
});
