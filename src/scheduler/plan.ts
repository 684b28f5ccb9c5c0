import type { IsolationClass, RuntimeProfile, VmmBackend } from '../api/isolation.js';
import type { Resources } from '../api/node.js';
import type { PlacementReason, Unschedulable } from '../api/placement.js';

/**
 * Where the scheduler put a pod. The control plane turns it into a
 * `PlacementRecord` (adding the time) and adds `charged` to the node's allocation.
 */
export interface PlannedPlacement {
  readonly pod: string;
  readonly node: string;
  readonly nodeName: string;
  readonly runtimeProfile: RuntimeProfile;
  readonly isolationClass: IsolationClass;
  readonly vmmBackend?: VmmBackend;
  /** The concrete GPU ids the pod gets. */
  readonly gpus?: readonly string[];
  /** What the pod costs the node: its requests plus the class overhead. */
  readonly charged: Resources;
}

/** The scheduler's answer for one pod: a placement or why there is none. */
export type PodDecision =
  | { readonly pod: string; readonly placed: true; readonly placement: PlannedPlacement }
  | { readonly pod: string; readonly placed: false; readonly unschedulable: Unschedulable };

/** One node's verdict for one pod, eligible nodes included (for `idyl explain` and tests). */
export interface NodeEvaluation {
  readonly node: string;
  readonly nodeName: string;
  /** The first check the node fails; absent when it is eligible. */
  readonly reason?: PlacementReason;
  readonly detail?: string;
}
