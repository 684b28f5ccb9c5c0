import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGpuRequest, type GpuDevice } from '../../api/gpu.js';
import type { RuntimeProfile } from '../../api/isolation.js';
import { unwrap } from '../../api/outcome.js';
import type { RuntimePolicy } from '../../api/subnet.js';
import { GIB, allocation, gpuDevice, nodeView, podToPlace, runFilter, verifiedReport } from '../test-support.js';
import { gpuFilter } from './gpu.js';

const H = (id: string, model = 'h100', mem = 80) => gpuDevice(id, model, 'host-driver', mem * GIB);
const V = (id: string, model = 'h100', mem = 80) => gpuDevice(id, model, 'vfio', mem * GIB);
const GPU_SUBNET: RuntimePolicy = { allowedIsolationClasses: ['microvm', 'container'], microvmGPU: true };

interface Row {
  name: string;
  profile: RuntimeProfile;
  gpus: GpuDevice[];
  ask: string | undefined;
  cls: 'container' | 'microvm';
  expected: string | undefined;
  nodeMicrovmGpu?: boolean;
  policy?: RuntimePolicy;
  inUse?: string[];
  detail?: RegExp;
}

describe('gpuFilter (check 8): count, model, memory and mode (isolation.md section 5)', () => {
  const ROWS: Row[] = [
    { name: 'no GPU asked', profile: 'docker', gpus: [], ask: undefined, cls: 'container', expected: undefined },
    { name: 'container gets host-driver GPUs', profile: 'docker', gpus: [H('a'), H('b')], ask: '2', cls: 'container', expected: undefined },
    { name: 'not enough GPUs', profile: 'docker', gpus: [H('a')], ask: '2', cls: 'container', expected: 'gpu_unavailable', detail: /needs 2 × any GPU; 1 free host-driver/ },
    { name: 'a node without GPUs', profile: 'docker', gpus: [], ask: '1', cls: 'container', expected: 'gpu_unavailable', detail: /the node has no GPUs/ },
    { name: 'GPUs in use do not count', profile: 'docker', gpus: [H('a'), H('b')], ask: '2', cls: 'container', inUse: ['a'], expected: 'gpu_unavailable' },
    { name: 'wrong model', profile: 'docker', gpus: [H('a', 'a100')], ask: 'h100', cls: 'container', expected: 'gpu_unavailable' },
    { name: 'too little memory', profile: 'docker', gpus: [H('a', 'a100', 40)], ask: 'a100:80Gi', cls: 'container', expected: 'gpu_unavailable' },
    { name: 'enough memory', profile: 'docker', gpus: [H('a', 'a100', 80)], ask: 'a100:80Gi', cls: 'container', expected: undefined },
    { name: 'vendor selector', profile: 'docker', gpus: [H('a')], ask: 'nvidia:24Gi', cls: 'container', expected: undefined },
    { name: 'container never gets vfio GPUs', profile: 'docker', gpus: [V('a')], ask: '1', cls: 'container', expected: 'gpu_mode_mismatch', detail: /bound to vfio-pci \(microVMs only\)/ },
    { name: 'microvm gets vfio GPUs on a qemu node with the path in a GPU subnet', profile: 'containerd-kata-qemu', gpus: [V('a')], ask: '1', cls: 'microvm', nodeMicrovmGpu: true, policy: GPU_SUBNET, expected: undefined },
    { name: 'microvm never gets host-driver GPUs', profile: 'containerd-kata-qemu', gpus: [H('a')], ask: '1', cls: 'microvm', nodeMicrovmGpu: true, policy: GPU_SUBNET, expected: 'gpu_mode_mismatch', detail: /on the host driver \(containers only\)/ },
    { name: 'microvm on a qemu node that declared no GPU path', profile: 'containerd-kata-qemu', gpus: [V('a')], ask: '1', cls: 'microvm', nodeMicrovmGpu: false, policy: GPU_SUBNET, expected: 'gpu_mode_mismatch', detail: /declared no microVM GPU path/ },
    { name: 'microvm in a subnet without microvmGPU', profile: 'containerd-kata-qemu', gpus: [V('a')], ask: '1', cls: 'microvm', nodeMicrovmGpu: true, policy: { allowedIsolationClasses: ['microvm'] }, expected: 'gpu_mode_mismatch', detail: /subnet has not validated/ },
    { name: 'microvm on firecracker even with vfio GPUs', profile: 'containerd-kata-firecracker', gpus: [V('a')], ask: '1', cls: 'microvm', nodeMicrovmGpu: true, policy: GPU_SUBNET, expected: 'gpu_mode_mismatch', detail: /firecracker cannot pass GPUs through/ },
    { name: 'microvm on a qemu node without any GPU', profile: 'containerd-kata-qemu', gpus: [], ask: '1', cls: 'microvm', nodeMicrovmGpu: true, policy: GPU_SUBNET, expected: 'gpu_unavailable' },
    { name: 'mixed node: only the right mode counts', profile: 'docker', gpus: [H('a'), V('b')], ask: '2', cls: 'container', expected: 'gpu_mode_mismatch' },
    { name: 'mixed node: wrong mode alone would not be enough either', profile: 'docker', gpus: [H('a'), V('b')], ask: '3', cls: 'container', expected: 'gpu_unavailable' },
    { name: 'model names match case-insensitively', profile: 'docker', gpus: [H('a', 'h100')], ask: 'H100', cls: 'container', expected: undefined },
    { name: 'a list of models means any of them', profile: 'docker', gpus: [H('a', 'a100'), H('b', 'l40s')], ask: '2:h100|a100|l40s', cls: 'container', expected: undefined },
  ];
  for (const row of ROWS) {
    it(`${row.name}: ${row.expected ?? 'eligible'}`, () => {
      const report = verifiedReport(row.profile, { gpus: row.gpus, microvmGPU: row.nodeMicrovmGpu ?? false });
      const node = nodeView('n1', row.profile, { report, allocated: allocation({ gpuIds: row.inUse ?? [] }) });
      const gpu = row.ask === undefined ? undefined : unwrap(parseGpuRequest(row.ask, 'spec.gpu'));
      const r = runFilter(gpuFilter, node, podToPlace('p', row.cls, { ...(gpu ? { gpu } : {}), subnetPolicy: row.policy }));
      assert.equal(r.reason, row.expected);
      if (row.detail) assert.match(r.detail ?? '', row.detail);
    });
  }
});
