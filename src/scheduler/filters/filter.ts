import type { PlacementReason } from '../../api/placement.js';
import type { NodeFacts } from '../node-facts.js';
import type { NodeLoad } from '../node-load.js';
import type { PodFacts } from '../pod-facts.js';

/**
 * One placement check (isolation.md section 4). `check` is on the hot path: it
 * returns the reason the node fails or `undefined`, and allocates nothing.
 * `detail` runs only to explain a failure to people.
 */
export interface Filter {
  /** The reason codes this filter can return, in check order. */
  readonly reasons: readonly PlacementReason[];
  check(node: NodeFacts, load: NodeLoad, pod: PodFacts): PlacementReason | undefined;
  detail(node: NodeFacts, load: NodeLoad, pod: PodFacts, reason: PlacementReason): string;
  /**
   * True when `detail` for this node and reason depends on the node alone, so the
   * scheduler may reuse the verdict for every pod.
   */
  detailIsPerNode(node: NodeFacts, reason: PlacementReason): boolean;
}
