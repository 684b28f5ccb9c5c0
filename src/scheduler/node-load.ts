import type { NodeFacts } from './node-facts.js';
import type { NodeAllocation } from './snapshot.js';

/** Numbers kept per node in the shared ledger, in this order. */
const CAPACITY_CPU = 0;
const CAPACITY_MEMORY = 1;
const OVERHEAD_CPU = 2;
const OVERHEAD_MEMORY = 3;
const USED_CPU = 4;
const USED_MEMORY = 5;
/** Numbers per node in the ledger. */
export const LEDGER_STRIDE = 6;

/**
 * A node's resource ledger during a scheduling pass: capacity and microVM
 * overhead (from its facts), and what is in use (the snapshot's allocation plus
 * everything the pass assumed). Internal to the scheduler, which is the only
 * writer. The numbers of all nodes live side by side in one `Float64Array`, so the
 * fit check, which runs for every node a search visits, reads one cache line and
 * never a boxed double.
 */
export class NodeLoad {
  readonly #ledger: Float64Array;
  readonly #at: number;
  /** One flag per entry of the node's GPU list: 1 when held. */
  readonly gpuInUse: Uint8Array;

  /** `ledger` holds `LEDGER_STRIDE` numbers per node; this node's start at `facts.index * LEDGER_STRIDE`. */
  constructor(ledger: Float64Array, facts: NodeFacts, allocated: NodeAllocation) {
    this.#ledger = ledger;
    this.#at = facts.index * LEDGER_STRIDE;
    ledger[this.#at + CAPACITY_CPU] = facts.capacityCpu;
    ledger[this.#at + CAPACITY_MEMORY] = facts.capacityMemory;
    ledger[this.#at + OVERHEAD_CPU] = facts.overheadCpu;
    ledger[this.#at + OVERHEAD_MEMORY] = facts.overheadMemory;
    ledger[this.#at + USED_CPU] = amount(allocated.cpuMillis);
    ledger[this.#at + USED_MEMORY] = amount(allocated.memoryBytes);
    this.gpuInUse = new Uint8Array(facts.gpus.length);
    for (const id of allocated.gpuIds ?? []) {
      const i = facts.gpuIndex.get(id);
      if (i !== undefined) this.gpuInUse[i] = 1;
    }
  }

  get capacityCpu(): number {
    return this.#ledger[this.#at + CAPACITY_CPU]!;
  }
  get capacityMemory(): number {
    return this.#ledger[this.#at + CAPACITY_MEMORY]!;
  }
  /** CPU one microVM costs this node beyond its request (0 on container nodes). */
  get overheadCpu(): number {
    return this.#ledger[this.#at + OVERHEAD_CPU]!;
  }
  /** Memory one microVM costs this node beyond its request (0 on container nodes). */
  get overheadMemory(): number {
    return this.#ledger[this.#at + OVERHEAD_MEMORY]!;
  }
  get usedCpu(): number {
    return this.#ledger[this.#at + USED_CPU]!;
  }
  get usedMemory(): number {
    return this.#ledger[this.#at + USED_MEMORY]!;
  }

  /** Records a pod the pass placed here. */
  assume(cpuMillis: number, memoryBytes: number, gpuIndexes: readonly number[]): void {
    this.#ledger[this.#at + USED_CPU] = this.usedCpu + cpuMillis;
    this.#ledger[this.#at + USED_MEMORY] = this.usedMemory + memoryBytes;
    for (const i of gpuIndexes) this.gpuInUse[i] = 1;
  }
}

function amount(n: number): number {
  // An unreadable allocation must not make a node look emptier than it is: fail
  // closed by treating the node as full.
  return Number.isFinite(n) && n >= 0 ? n : Number.POSITIVE_INFINITY;
}
