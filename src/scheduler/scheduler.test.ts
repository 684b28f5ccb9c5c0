import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGpuRequest } from '../api/gpu.js';
import { unwrap } from '../api/outcome.js';
import type { PodDecision } from './plan.js';
import { Scheduler, schedulePod } from './scheduler.js';
import type { NodeView, SchedulingSnapshot } from './snapshot.js';
import { GIB, MIB, allocation, gpuDevice, nodeView, podToPlace, verifiedReport } from './test-support.js';

const nodeOf = (d: PodDecision) => (d.placed ? d.placement.node : `unplaced: ${d.unschedulable.summary}`);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

describe('Scheduler: scoring', () => {
  it('spreads a Deployment\'s replicas across nodes', () => {
    const s = new Scheduler({ nodes: [nodeView('a', 'docker'), nodeView('b', 'docker'), nodeView('c', 'docker')] });
    const placed = [1, 2, 3, 4, 5, 6].map((i) => nodeOf(s.place(podToPlace(`r${i}`, 'container', { ownerId: 'deploy-1' }))));
    assert.deepEqual([...placed.slice(0, 3)].sort(), ['a', 'b', 'c']);
    assert.deepEqual([...placed.slice(3)].sort(), ['a', 'b', 'c']);
  });

  it('spreads before it prefers the emptier node', () => {
    const busy = allocation({ cpuMillis: 6000, memoryBytes: 24 * GIB });
    const s = new Scheduler({ nodes: [nodeView('empty', 'docker'), nodeView('busy', 'docker', { allocated: busy })] });
    const placed = [1, 2].map((i) => nodeOf(s.place(podToPlace(`r${i}`, 'container', { ownerId: 'd' }))));
    assert.deepEqual(placed, ['empty', 'busy']);
  });

  it('counts replicas already running from the snapshot', () => {
    const nodes = [nodeView('a', 'docker', { allocated: allocation({ podsByOwner: { d: 2 } }) }), nodeView('b', 'docker', { allocated: allocation({ cpuMillis: 7000, podsByOwner: { d: 1 } }) })];
    assert.equal(nodeOf(new Scheduler({ nodes }).place(podToPlace('r', 'container', { ownerId: 'd' }))), 'b');
  });

  it('puts pods without an owner on the least allocated node', () => {
    const nodes = [
      nodeView('a', 'docker', { allocated: allocation({ cpuMillis: 4000, memoryBytes: 16 * GIB }) }),
      nodeView('b', 'docker', { allocated: allocation({ cpuMillis: 1000, memoryBytes: 4 * GIB }) }),
      nodeView('c', 'docker', { allocated: allocation({ cpuMillis: 2000, memoryBytes: 8 * GIB }) }),
    ];
    assert.equal(nodeOf(schedulePod({ nodes }, podToPlace('p', 'container'))), 'b');
  });

  it('breaks ties by node id, whatever the snapshot order', () => {
    const forward = [nodeView('n1', 'docker'), nodeView('n2', 'docker'), nodeView('n3', 'docker')];
    assert.equal(nodeOf(schedulePod({ nodes: forward }, podToPlace('p', 'container'))), 'n1');
    assert.equal(nodeOf(schedulePod({ nodes: [...forward].reverse() }, podToPlace('p', 'container'))), 'n1');
  });

  it('gives the same decisions for the same inputs', () => {
    const nodes = Array.from({ length: 30 }, (_, i) => nodeView(`n${String(i).padStart(2, '0')}`, i % 3 === 0 ? 'containerd-kata-qemu' : 'docker'));
    const pods = Array.from({ length: 60 }, (_, i) => podToPlace(`p${i}`, i % 4 === 0 ? 'microvm' : 'container', { ownerId: `d${i % 5}`, requests: { cpuMillis: 250 * (1 + (i % 3)), memoryBytes: 256 * MIB } }));
    const run = () => new Scheduler({ nodes }, { feasibleSample: 4 }).placeAll(pods).map(nodeOf);
    assert.deepEqual(run(), run());
  });
});

describe('Scheduler: a batch assumes what it placed', () => {
  it('never over-commits a node within a pass', () => {
    const node = nodeView('a', 'docker', { report: verifiedReport('docker', { capacity: { cpuMillis: 2000, memoryBytes: 8 * GIB } }) });
    const s = new Scheduler({ nodes: [node] });
    const decisions = [1, 2, 3].map((i) => s.place(podToPlace(`p${i}`, 'container', { requests: { cpuMillis: 1000, memoryBytes: 1 * GIB } })));
    assert.deepEqual(decisions.map((d) => d.placed), [true, true, false]);
    const last = decisions[2]!;
    assert.ok(!last.placed && last.unschedulable.nodes[0]?.reason === 'insufficient_cpu');
    assert.equal(last.placed ? '' : last.unschedulable.nodes[0]?.detail, 'needs 1 CPU, 0 free');
  });

  it('charges a microVM its overhead and records where it runs', () => {
    const d = schedulePod({ nodes: [nodeView('q', 'containerd-kata-qemu', { name: 'qemu-1' })] }, podToPlace('p', 'microvm', { requests: { cpuMillis: 500, memoryBytes: 512 * MIB } }));
    assert.ok(d.placed);
    if (!d.placed) return;
    assert.deepEqual(d.placement, {
      pod: 'p',
      node: 'q',
      nodeName: 'qemu-1',
      runtimeProfile: 'containerd-kata-qemu',
      isolationClass: 'microvm',
      vmmBackend: 'qemu',
      charged: { cpuMillis: 750, memoryBytes: 672 * MIB },
    });
  });

  it('a container placement has no backend and costs only its request', () => {
    const d = schedulePod({ nodes: [nodeView('r', 'containerd-runc')] }, podToPlace('p', 'container'));
    assert.ok(d.placed && d.placement.vmmBackend === undefined && d.placement.runtimeProfile === 'containerd-runc');
    assert.deepEqual(d.placed && d.placement.charged, { cpuMillis: 500, memoryBytes: 512 * MIB });
  });

  it('picks concrete GPU ids and never hands one out twice', () => {
    const gpus = [gpuDevice('g0', 'h100', 'host-driver'), gpuDevice('g1', 'h100', 'host-driver'), gpuDevice('g2', 'h100', 'host-driver')];
    const node = nodeView('a', 'docker', { report: verifiedReport('docker', { gpus }), allocated: allocation({ gpuIds: ['g1'] }) });
    const s = new Scheduler({ nodes: [node] });
    const one = unwrap(parseGpuRequest('1', 'spec.gpu'));
    const decisions = [1, 2].map((i) => s.place(podToPlace(`p${i}`, 'container', { gpu: one })));
    assert.deepEqual(decisions.map((d) => (d.placed ? d.placement.gpus : d.unschedulable.summary)), [['g0'], ['g2']]);
    const third = s.place(podToPlace('p3', 'container', { gpu: one }));
    assert.ok(!third.placed && third.unschedulable.reasons.gpu_unavailable === 1);
  });

  it('does not change the snapshot', () => {
    const snapshot: SchedulingSnapshot = deepFreeze({ nodes: [nodeView('a', 'docker', { report: verifiedReport('docker', { gpus: [gpuDevice('g0', 'h100', 'host-driver')] }) })] });
    const before = JSON.stringify(snapshot);
    const s = new Scheduler(snapshot);
    s.place(podToPlace('p', 'container', { ownerId: 'd', gpu: unwrap(parseGpuRequest('1', 'spec.gpu')) }));
    assert.equal(JSON.stringify(snapshot), before);
  });

  it('evaluate lists every node, eligible ones without a reason, and assumes nothing', () => {
    const s = new Scheduler({ nodes: [nodeView('a', 'docker'), nodeView('b', 'containerd-kata-qemu')] });
    const pod = podToPlace('p', 'container');
    assert.deepEqual(s.evaluate(pod), [
      { node: 'a', nodeName: 'a' },
      { node: 'b', nodeName: 'b', reason: 'isolation_class_unsupported', detail: 'profile containerd-kata-qemu serves class microvm' },
    ]);
    assert.deepEqual(s.evaluate(pod), s.evaluate(pod));
  });

  it('treats requests that are not numbers as a fault', () => {
    const s = new Scheduler({ nodes: [nodeView('a', 'docker')] });
    assert.throws(() => s.place(podToPlace('p', 'container', { requests: { cpuMillis: Number.NaN, memoryBytes: 1 } })), /requests must be non-negative numbers/);
  });
});

describe('Scheduler: bounded sampling', () => {
  const equalNodes = (n: number): NodeView[] => Array.from({ length: n }, (_, i) => nodeView(`n${i}`, 'docker'));

  it('rotates where it starts, so a small sample still reaches every node', () => {
    const s = new Scheduler({ nodes: equalNodes(4) }, { feasibleSample: 1 });
    const placed = [1, 2, 3, 4].map((i) => nodeOf(s.place(podToPlace(`p${i}`, 'container'))));
    assert.deepEqual([...placed].sort(), ['n0', 'n1', 'n2', 'n3']);
  });

  it('still checks every node for a pod that fits nowhere', () => {
    const s = new Scheduler({ nodes: equalNodes(50) }, { feasibleSample: 1 });
    const d = s.place(podToPlace('big', 'container', { requests: { cpuMillis: 64_000, memoryBytes: 1 } }));
    assert.ok(!d.placed);
    if (d.placed) return;
    assert.equal(d.unschedulable.summary, '0/50 nodes eligible: 50 insufficient_cpu');
  });

  it('finds the one feasible node among many that are not', () => {
    const nodes = [...equalNodes(40).map((n) => ({ ...n, allocated: allocation({ cpuMillis: 8000 }) })), nodeView('free', 'docker')];
    assert.equal(nodeOf(new Scheduler({ nodes }, { feasibleSample: 2 }).place(podToPlace('p', 'container'))), 'free');
  });
});
