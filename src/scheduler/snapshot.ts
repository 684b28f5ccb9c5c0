import type { GpuRequest } from '../api/gpu.js';
import type { CapabilityReport, Resources } from '../api/node.js';
import type { RuntimePolicy } from '../api/subnet.js';
import type { FrozenIsolation } from '../api/workload.js';

/**
 * What is already in use on a node when the snapshot is taken. `cpuMillis` and
 * `memoryBytes` include the class overhead of the microVMs running there (what a
 * `PlannedPlacement.charged` added when they were placed).
 */
export interface NodeAllocation {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  /** GPU ids held by workloads on the node. */
  readonly gpuIds: readonly string[];
  /** Pods on the node per owner (Deployment id), used to spread replicas. */
  readonly podsByOwner: Readonly<Record<string, number>>;
}

/** An empty allocation, for nodes with nothing on them. */
export const NO_ALLOCATION: NodeAllocation = Object.freeze({ cpuMillis: 0, memoryBytes: 0, gpuIds: Object.freeze([]), podsByOwner: Object.freeze({}) });

/** One node as the scheduler sees it. */
export interface NodeView {
  readonly id: string;
  readonly name: string;
  readonly subnetId: string;
  /** Admitted by the subnet as provider capacity. */
  readonly admitted: boolean;
  /** A heartbeat arrived within the timeout. */
  readonly connected: boolean;
  /** The profile the node joined with; a report naming another profile is not trusted. */
  readonly declaredProfile?: string;
  /**
   * The last capability report as stored. `undefined` (never reported) or anything
   * malformed makes the node ineligible for every class (`capability_unverified`).
   */
  readonly report: CapabilityReport | undefined;
  readonly allocated: NodeAllocation;
}

/** One pod waiting for a node. */
export interface PodToPlace {
  readonly id: string;
  readonly subnetId: string;
  /** The Deployment (or other owner) whose replicas are spread across nodes. */
  readonly ownerId?: string;
  /** The class frozen at submit; the scheduler never changes or lowers it. */
  readonly isolation: FrozenIsolation;
  /** `linux/amd64` or `linux/arm64`; absent = any. */
  readonly platform?: string;
  /** The pod's requests with the server's defaults filled in. */
  readonly requests: Resources;
  readonly gpu?: GpuRequest;
  /** The pod-level `require` map as submitted (parsed by the scheduler; malformed fails closed). */
  readonly require?: Readonly<Record<string, string>>;
  /** The subnet's runtime policy now (its backends and `microvmGPU` apply to placement). */
  readonly subnetPolicy: RuntimePolicy | undefined;
}

/** The immutable input of one scheduling pass. */
export interface SchedulingSnapshot {
  readonly nodes: readonly NodeView[];
}
