import { formatBytes, formatCpu } from '../../api/quantity.js';
import type { NodeLoad } from '../node-load.js';
import type { PodFacts } from '../pod-facts.js';
import type { Filter } from './filter.js';

/** CPU a pod costs a node: its request plus, for a microVM, the node's class overhead. */
export function chargedCpu(load: NodeLoad, pod: PodFacts): number {
  return pod.isolationClass === 'microvm' ? pod.cpuMillis + load.overheadCpu : pod.cpuMillis;
}

/** Memory a pod costs a node: its request plus, for a microVM, the node's class overhead. */
export function chargedMemory(load: NodeLoad, pod: PodFacts): number {
  return pod.isolationClass === 'microvm' ? pod.memoryBytes + load.overheadMemory : pod.memoryBytes;
}

/**
 * Check 7: free CPU, then free memory, cover the request plus the class overhead
 * (`insufficient_cpu`, `insufficient_memory`; field case 28).
 */
export const resourcesFilter: Filter = {
  reasons: ['insufficient_cpu', 'insufficient_memory'],
  check: (_node, load, pod) => {
    // Written out rather than through chargedCpu/chargedMemory: this runs for every
    // node a search visits, and byte counts are doubles that a call would box.
    const microvm = pod.isolationClass === 'microvm';
    if (load.capacityCpu - load.usedCpu < pod.cpuMillis + (microvm ? load.overheadCpu : 0)) return 'insufficient_cpu';
    if (load.capacityMemory - load.usedMemory < pod.memoryBytes + (microvm ? load.overheadMemory : 0)) return 'insufficient_memory';
    return undefined;
  },
  detail: (_node, load, pod, reason) => {
    const microvm = pod.isolationClass === 'microvm';
    if (reason === 'insufficient_cpu') {
      const free = Math.max(0, load.capacityCpu - load.usedCpu);
      const extra = microvm ? ` (${formatCpu(pod.cpuMillis)} + ${formatCpu(load.overheadCpu)} microVM overhead)` : '';
      return `needs ${formatCpu(chargedCpu(load, pod))} CPU${extra}, ${formatCpu(free)} free`;
    }
    const free = Math.max(0, load.capacityMemory - load.usedMemory);
    const extra = microvm ? ` (${formatBytes(pod.memoryBytes)} + ${formatBytes(load.overheadMemory)} microVM overhead)` : '';
    return `needs ${formatBytes(chargedMemory(load, pod))} memory${extra}, ${formatBytes(free)} free`;
  },
  detailIsPerNode: () => false,
};
