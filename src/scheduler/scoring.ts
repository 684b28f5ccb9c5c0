import type { NodeLoad } from './node-load.js';

/**
 * How full the node would be with `cpu` and `memory` more in use: the mean of
 * the CPU and memory fractions (0 = empty). Lower is better (least-allocated).
 */
export function allocationAfter(load: NodeLoad, cpu: number, memory: number): number {
  const capacityCpu = load.capacityCpu;
  const capacityMemory = load.capacityMemory;
  const c = capacityCpu > 0 ? (load.usedCpu + cpu) / capacityCpu : 1;
  const m = capacityMemory > 0 ? (load.usedMemory + memory) / capacityMemory : 1;
  return (c + m) / 2;
}

/**
 * Orders two feasible nodes for one pod: fewer pods of the same owner first (to
 * spread a Deployment's replicas), then the less allocated node, then the lower
 * rank (the node id order), so equal inputs always give the same answer.
 * Returns true when `a` is the better choice.
 */
export function betterNode(aOwnerPods: number, aAllocation: number, aRank: number, bOwnerPods: number, bAllocation: number, bRank: number): boolean {
  if (aOwnerPods !== bOwnerPods) return aOwnerPods < bOwnerPods;
  if (aAllocation !== bAllocation) return aAllocation < bAllocation;
  return aRank < bRank;
}
