import { PLACEMENT_REASONS, type PlacementReason } from '../api/placement.js';
import { admittedFilter } from './filters/admitted.js';
import { capabilityFilter } from './filters/capability.js';
import { connectedFilter } from './filters/connected.js';
import type { Filter } from './filters/filter.js';
import { gpuFilter } from './filters/gpu.js';
import { isolationClassFilter } from './filters/isolation-class.js';
import { platformFilter } from './filters/platform.js';
import { requirementsFilter } from './filters/requirements.js';
import { resourcesFilter } from './filters/resources.js';
import { vmmBackendFilter } from './filters/vmm-backend.js';
import type { NodeFacts } from './node-facts.js';
import type { NodeLoad } from './node-load.js';
import type { PodFacts } from './pod-facts.js';

/**
 * The placement checks in the order of isolation.md section 4. This is the only
 * place the order is decided; a node gets the reason of the first check it fails.
 */
export const FILTER_CHAIN: readonly Filter[] = Object.freeze([
  admittedFilter, // 1 admitted by the subnet as provider capacity
  connectedFilter, // 2 heartbeat within the timeout
  capabilityFilter, // 3 a verified, consistent capability report (fail closed)
  isolationClassFilter, // 4 the node's profile serves the frozen class
  vmmBackendFilter, // 5 microvm: the node's backend is allowed by the subnet
  platformFilter, // 6 the platform the pod asks for
  resourcesFilter, // 7 free CPU and memory cover request + class overhead
  gpuFilter, // 8 GPUs: count/model/memory, in the class's mode
  requirementsFilter, // 9 host requirements (`require`)
]);

/**
 * How many leading stages read only the node's static facts and the pod's class
 * and allowed backends: the scheduler may index nodes by these and skip the ones
 * that fail them when it looks for a placement (never when it explains one).
 */
export const INDEXABLE_STAGES = 5;

/** Reason code → its position in check order (ties in summaries follow it). */
export const REASON_ORDER: ReadonlyMap<PlacementReason, number> = new Map(PLACEMENT_REASONS.map((r, i) => [r, i]));

/** The filter that returns each reason code. */
export const FILTER_BY_REASON: ReadonlyMap<PlacementReason, Filter> = new Map(FILTER_CHAIN.flatMap((f) => f.reasons.map((r) => [r, f] as const)));

/** The reason of the first check in stages `[from, to)` that the node fails; `undefined` when it passes them all. */
export function firstFailure(node: NodeFacts, load: NodeLoad, pod: PodFacts, from = 0, to = FILTER_CHAIN.length): PlacementReason | undefined {
  for (let s = from; s < to; s++) {
    const reason = FILTER_CHAIN[s]!.check(node, load, pod);
    if (reason !== undefined) return reason;
  }
  return undefined;
}
