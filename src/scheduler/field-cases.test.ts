import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGpuRequest } from '../api/gpu.js';
import type { CapabilityReport } from '../api/node.js';
import { unwrap } from '../api/outcome.js';
import type { RuntimePolicy } from '../api/subnet.js';
import { Scheduler } from './scheduler.js';
import type { PodToPlace } from './snapshot.js';
import { GIB, MIB, allocation, gpuDevice, nodeView, podToPlace, verifiedReport } from './test-support.js';

const gpu = (ask: string) => unwrap(parseGpuRequest(ask, 'spec.gpu'));
const CLASSES = ['container', 'microvm'] as const;

// Field cases (shared/cases/field-cases.md) decided by placement.
describe('field cases decided by the scheduler', () => {
  it('case 1: a microvm workload in a subnet of docker nodes is never bound; each node says isolation_class_unsupported', () => {
    const s = new Scheduler({ nodes: [nodeView('d1', 'docker'), nodeView('d2', 'docker'), nodeView('d3', 'docker')] });
    for (let attempt = 0; attempt < 3; attempt++) {
      const d = s.place(podToPlace(`p${attempt}`, 'microvm'));
      assert.equal(d.placed, false);
      if (d.placed) return;
      assert.deepEqual(d.unschedulable.reasons, { isolation_class_unsupported: 3 });
      assert.ok(d.unschedulable.nodes.every((n) => n.reason === 'isolation_class_unsupported'));
      assert.equal(
        d.unschedulable.summary,
        '0/3 nodes eligible: 3 isolation_class_unsupported; no node in this subnet runs class microvm (profiles containerd-kata-qemu, containerd-kata-firecracker)',
      );
    }
  });

  it('case 4: a node that just joined and has not reported is eligible for nothing', () => {
    for (const profile of ['docker', 'containerd-kata-qemu'] as const) {
      const s = new Scheduler({ nodes: [nodeView('new', profile, { report: undefined })] });
      for (const cls of CLASSES) {
        const d = s.place(podToPlace('p', cls));
        assert.ok(!d.placed && d.unschedulable.nodes[0]?.reason === 'capability_unverified', `${cls} on ${profile}`);
        assert.match(d.placed ? '' : (d.unschedulable.nodes[0]?.detail ?? ''), /has not sent a capability report yet/);
      }
    }
  });

  it('case 5: a corrupt or unknown report fails closed with a reason, never "any node"', () => {
    const corrupt: Array<[string, unknown]> = [
      ['unknown profile', { ...verifiedReport('docker'), runtimeProfile: 'containerd-youki' }],
      ['not an object', 'ok'],
      ['empty object', {}],
      ['missing capacity', { ...verifiedReport('docker'), capacity: null }],
      ['GPUs not a list', { ...verifiedReport('docker'), gpus: 'all' }],
    ];
    for (const [name, report] of corrupt) {
      const s = new Scheduler({ nodes: [nodeView('n', 'docker', { report: report as CapabilityReport })] });
      for (const cls of CLASSES) {
        const d = s.place(podToPlace('p', cls));
        assert.ok(!d.placed, `${name}: ${cls} was placed`);
        if (d.placed) continue;
        assert.equal(d.unschedulable.nodes[0]?.reason, 'capability_unverified', name);
        assert.ok((d.unschedulable.nodes[0]?.detail ?? '').length > 0, `${name}: no reason given`);
      }
    }
  });

  it('case 6: a require that no node meets is named in the diagnosis', () => {
    const nodes = [
      nodeView('a', 'docker', { report: verifiedReport('docker', { attributes: { cuda: '12.4' } }) }),
      nodeView('b', 'docker', { report: verifiedReport('docker', { attributes: { cuda: '12.8' } }) }),
      nodeView('c', 'docker'),
    ];
    const d = new Scheduler({ nodes }).place(podToPlace('p', 'container', { require: { cuda: '>=13.0' } }));
    assert.ok(!d.placed);
    if (d.placed) return;
    assert.equal(d.unschedulable.summary, '0/3 nodes eligible: 3 requirement_unmet (cuda >=13.0)');
    assert.deepEqual(
      d.unschedulable.nodes.map((n) => n.detail),
      ['requires cuda >=13.0; the node has cuda 12.4', 'requires cuda >=13.0; the node has cuda 12.8', 'requires cuda >=13.0; the node does not report cuda'],
    );
  });

  it('case 17: vfio GPUs go only to microvm, host-driver GPUs only to container, never both', () => {
    const policy: RuntimePolicy = { allowedIsolationClasses: ['container', 'microvm'], microvmGPU: true };
    const hostNode = nodeView('host', 'docker', { report: verifiedReport('docker', { gpus: [gpuDevice('h0', 'h100', 'host-driver'), gpuDevice('v0', 'h100', 'vfio')] }) });
    const vmNode = nodeView('vm', 'containerd-kata-qemu', {
      report: verifiedReport('containerd-kata-qemu', { microvmGPU: true, gpus: [gpuDevice('v1', 'h100', 'vfio'), gpuDevice('h1', 'h100', 'host-driver')] }),
    });
    const s = new Scheduler({ nodes: [hostNode, vmNode] });
    const pod = (id: string, cls: 'container' | 'microvm'): PodToPlace => podToPlace(id, cls, { gpu: gpu('1'), subnetPolicy: policy });
    const c1 = s.place(pod('c1', 'container'));
    const m1 = s.place(pod('m1', 'microvm'));
    assert.ok(c1.placed && m1.placed);
    assert.deepEqual(c1.placed && c1.placement.gpus, ['h0']);
    assert.deepEqual(m1.placed && m1.placement.gpus, ['v1']);
    // What is left on each node is only the other mode: both are mode mismatches.
    const c2 = s.place(pod('c2', 'container'));
    const m2 = s.place(pod('m2', 'microvm'));
    assert.ok(!c2.placed && !m2.placed);
    assert.deepEqual(!c2.placed && c2.unschedulable.reasons, { gpu_mode_mismatch: 1, isolation_class_unsupported: 1 });
    assert.deepEqual(!m2.placed && m2.unschedulable.reasons, { gpu_mode_mismatch: 1, isolation_class_unsupported: 1 });
  });

  it('case 17: a node that serves GPU containers is never taken for a microVM GPU path', () => {
    const policy: RuntimePolicy = { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm', microvmGPU: true };
    const qemuWithHostGpus = nodeView('q', 'containerd-kata-qemu', { report: verifiedReport('containerd-kata-qemu', { microvmGPU: false, gpus: [gpuDevice('g', 'h100', 'vfio')] }) });
    const d = new Scheduler({ nodes: [qemuWithHostGpus] }).place(podToPlace('p', 'microvm', { gpu: gpu('1'), subnetPolicy: policy }));
    assert.ok(!d.placed && d.unschedulable.nodes[0]?.reason === 'gpu_mode_mismatch');
  });

  it('case 19: a GPU asked as H100 matches a node\'s h100, and a list of models means any', () => {
    const nodes = [
      nodeView('h', 'docker', { report: verifiedReport('docker', { gpus: [gpuDevice('g-h100', 'h100', 'host-driver')] }) }),
      nodeView('a', 'docker', { report: verifiedReport('docker', { gpus: [gpuDevice('g-a100', 'a100', 'host-driver')] }) }),
    ];
    const s = new Scheduler({ nodes });
    const upper = s.place(podToPlace('p1', 'container', { gpu: gpu('H100') }));
    assert.deepEqual(upper.placed && upper.placement.gpus, ['g-h100']);
    const any = s.place(podToPlace('p2', 'container', { gpu: gpu('l40s|A100') }));
    assert.deepEqual(any.placed && any.placement.gpus, ['g-a100']);
  });

  it('case 28: 1 GiB free and a 900 MiB microvm request does not fit once the VM overhead counts', () => {
    const report = verifiedReport('containerd-kata-qemu', { capacity: { cpuMillis: 4000, memoryBytes: 4 * GIB } });
    const node = nodeView('q', 'containerd-kata-qemu', { report, allocated: allocation({ memoryBytes: 3 * GIB }) });
    const s = new Scheduler({ nodes: [node] });
    const microvm = s.place(podToPlace('vm', 'microvm', { requests: { cpuMillis: 500, memoryBytes: 900 * MIB } }));
    assert.ok(!microvm.placed);
    if (microvm.placed) return;
    assert.equal(microvm.unschedulable.summary, '0/1 nodes eligible: 1 insufficient_memory');
    assert.match(microvm.unschedulable.nodes[0]?.detail ?? '', /900Mi \+ 160Mi microVM overhead\), 1Gi free/);
    // The same request without overhead (a container on a container node) would have fit.
    const runc = nodeView('r', 'containerd-runc', { report: verifiedReport('containerd-runc', { capacity: { cpuMillis: 4000, memoryBytes: 4 * GIB } }), allocated: allocation({ memoryBytes: 3 * GIB }) });
    assert.ok(new Scheduler({ nodes: [runc] }).place(podToPlace('c', 'container', { requests: { cpuMillis: 500, memoryBytes: 900 * MIB } })).placed);
  });
});
