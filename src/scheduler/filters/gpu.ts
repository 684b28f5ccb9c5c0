import type { GpuMode, GpuRequest } from '../../api/gpu.js';
import { formatBytes } from '../../api/quantity.js';
import type { NodeFacts } from '../node-facts.js';
import type { NodeLoad } from '../node-load.js';
import type { PodFacts } from '../pod-facts.js';
import type { Filter } from './filter.js';

/** The GPU mode a class may use: host-driver GPUs for containers, vfio GPUs for microVMs. */
function modeFor(pod: PodFacts): GpuMode {
  return pod.isolationClass === 'microvm' ? 'vfio' : 'host-driver';
}

/**
 * Whether the node may hand GPUs to this pod at all: always for containers; for a
 * microVM only on a qemu node whose provider declared the path, in a subnet that
 * validated it (isolation.md section 5).
 */
function pathOpen(node: NodeFacts, pod: PodFacts): boolean {
  return pod.isolationClass !== 'microvm' || (node.microvmGpuPath && pod.subnetMicrovmGpu);
}

/**
 * Check 8: enough free GPUs of the asked model/vendor/memory, in the mode the class
 * uses (`gpu_unavailable`, `gpu_mode_mismatch`). A GPU is only ever offered in its
 * own mode, so a device is never usable by both classes (field case 17). It is a
 * mode mismatch when enough matching GPUs are free but only in the other mode, or
 * the node or subnet lacks the microVM GPU path; otherwise the GPUs are unavailable.
 */
export const gpuFilter: Filter = {
  reasons: ['gpu_unavailable', 'gpu_mode_mismatch'],
  check: (node, load, pod) => {
    const want = pod.gpu;
    if (want === undefined) return undefined;
    const mode = modeFor(pod);
    let rightMode = 0;
    let anyMode = 0;
    const gpus = node.gpus;
    for (let i = 0; i < gpus.length; i++) {
      const device = gpus[i]!;
      if (load.gpuInUse[i] === 1 || !pod.gpuFits(device)) continue;
      anyMode++;
      if (device.mode === mode) rightMode++;
    }
    if (rightMode >= want.count && pathOpen(node, pod)) return undefined;
    return anyMode >= want.count ? 'gpu_mode_mismatch' : 'gpu_unavailable';
  },
  detail: (node, load, pod, reason) => {
    if (node.gpus.length === 0) return 'the node has no GPUs';
    const want = pod.gpu as GpuRequest;
    const asked = describeRequest(want);
    if (reason === 'gpu_unavailable') {
      let free = 0;
      node.gpus.forEach((g, i) => {
        if (load.gpuInUse[i] !== 1 && pod.gpuFits(g) && g.mode === modeFor(pod)) free++;
      });
      return `needs ${asked}; ${free} free ${modeFor(pod)} GPU(s) match`;
    }
    if (pod.isolationClass === 'microvm') {
      if (node.vmmBackend === 'firecracker') return `needs ${asked} in a microVM; firecracker cannot pass GPUs through`;
      if (!node.microvmGpuPath) return `needs ${asked} in a microVM; the node declared no microVM GPU path (--microvm-gpu)`;
      if (!pod.subnetMicrovmGpu) return `needs ${asked} in a microVM; the subnet has not validated a microVM GPU path (microvmGPU)`;
      return `needs ${asked} in a microVM; the matching GPUs are on the host driver (containers only)`;
    }
    return `needs ${asked} for a container; the matching GPUs are bound to vfio-pci (microVMs only)`;
  },
  detailIsPerNode: (node) => node.gpus.length === 0,
};

/**
 * The GPUs a placed pod gets: the first free matching devices in the pod's mode,
 * in the node's report order, as indexes into `node.gpus`. Call only after the
 * node passed `gpuFilter`.
 */
export function pickGpus(node: NodeFacts, load: NodeLoad, pod: PodFacts): number[] {
  const want = pod.gpu;
  if (want === undefined) return [];
  const mode = modeFor(pod);
  const picked: number[] = [];
  for (let i = 0; i < node.gpus.length && picked.length < want.count; i++) {
    const device = node.gpus[i]!;
    if (load.gpuInUse[i] !== 1 && device.mode === mode && pod.gpuFits(device)) picked.push(i);
  }
  return picked;
}

function describeRequest(want: GpuRequest): string {
  const what = want.models?.join('|') ?? want.vendor ?? 'any';
  const memory = want.minMemoryBytes !== undefined ? ` with ${formatBytes(want.minMemoryBytes)}+` : '';
  return `${want.count} × ${what} GPU${memory}`;
}
