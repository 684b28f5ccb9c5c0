import type { IsolationClass, RuntimeProfile, VmmBackend } from './isolation.js';

/**
 * The scheduler's reason codes in check order (isolation.md section 4). A rejected
 * node gets exactly one: the first check it fails.
 */
export const PLACEMENT_REASONS = [
  'node_not_admitted',
  'node_disconnected',
  'capability_unverified',
  'isolation_class_unsupported',
  'vmm_backend_not_allowed',
  'platform_mismatch',
  'insufficient_cpu',
  'insufficient_memory',
  'gpu_unavailable',
  'gpu_mode_mismatch',
  'requirement_unmet',
] as const;
export type PlacementReason = (typeof PLACEMENT_REASONS)[number];

/** Why a node-side launch failed or was refused (reported by the agent). */
export const NODE_FAILURE_REASONS = [
  'image_pull_failed',
  'runtime_unavailable',
  'isolation_verification_failed',
  'isolation_class_unsupported',
  'gpu_attach_failed',
  'create_failed',
  'start_failed',
  'oom_killed',
  'node_lost',
  'isolation_class_not_allowed',
  'evicted',
] as const;
export type NodeFailureReason = (typeof NODE_FAILURE_REASONS)[number];

/** One node's verdict for one workload. */
export interface NodeVerdict {
  readonly node: string;
  readonly nodeName?: string;
  readonly reason: PlacementReason;
  /** Words for people, e.g. which requirement was unmet. */
  readonly detail?: string;
}

/** Why a workload could not be placed: counted reasons and per-node detail. */
export interface Unschedulable {
  /** "0/5 nodes eligible: 3 isolation_class_unsupported, 2 node_disconnected" */
  readonly summary: string;
  readonly reasons: Readonly<Partial<Record<PlacementReason, number>>>;
  readonly nodes: readonly NodeVerdict[];
}

/** Where a workload was placed and with what it was launched. */
export interface PlacementRecord {
  readonly node: string;
  readonly nodeName: string;
  readonly runtimeProfile: RuntimeProfile;
  readonly isolationClass: IsolationClass;
  readonly vmmBackend?: VmmBackend;
  /** GPU ids the workload got, if any. */
  readonly gpus?: readonly string[];
  readonly at: string;
}
