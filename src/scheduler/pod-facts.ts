import { gpuMatches, type GpuDevice, type GpuRequest } from '../api/gpu.js';
import type { VmmBackend } from '../api/isolation.js';
import { parseRequirements, type Requirement } from '../policy/requirement.js';
import type { PodToPlace } from './snapshot.js';

/**
 * A pod prepared for the filters: its class, what the subnet's policy says now,
 * its parsed requirements, computed once per pod.
 */
export interface PodFacts {
  readonly id: string;
  readonly subnetId: string;
  readonly ownerId: string | undefined;
  /** The frozen class as stored (an unknown value matches no node). */
  readonly isolationClass: string;
  readonly platform: string | undefined;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly gpu: GpuRequest | undefined;
  /** The subnet's allowed backends for microvm; undefined = every backend. */
  readonly allowedBackends: readonly VmmBackend[] | undefined;
  /** The subnet declares a validated microVM GPU path. */
  readonly subnetMicrovmGpu: boolean;
  readonly requirements: readonly Requirement[];
  /** Set when `require` does not parse: no node can be shown to meet it. */
  readonly requirementError: string | undefined;
  /** True when `device` is of the model, vendor and memory the pod asks for. */
  gpuFits(device: GpuDevice): boolean;
}

/** Prepares a pod for the filters. Requests that are not non-negative numbers are a fault upstream and throw. */
export function buildPodFacts(pod: PodToPlace): PodFacts {
  const { cpuMillis, memoryBytes } = pod.requests;
  if (!(Number.isFinite(cpuMillis) && cpuMillis >= 0 && Number.isFinite(memoryBytes) && memoryBytes >= 0)) {
    throw new Error(`pod ${pod.id}: requests must be non-negative numbers (the server fills defaults)`);
  }
  const parsed = parseRequirements(pod.require);
  const gpu = pod.gpu;
  let memo: Map<GpuDevice, boolean> | undefined;
  return {
    id: pod.id,
    subnetId: pod.subnetId,
    ownerId: pod.ownerId,
    isolationClass: pod.isolation.class,
    platform: pod.platform,
    cpuMillis,
    memoryBytes,
    gpu,
    allowedBackends: pod.subnetPolicy?.allowedVMMBackends,
    subnetMicrovmGpu: pod.subnetPolicy?.microvmGPU === true,
    requirements: parsed.ok ? parsed.value : [],
    requirementError: parsed.ok ? undefined : parsed.error.message,
    gpuFits(device: GpuDevice): boolean {
      if (gpu === undefined) return false;
      // gpuMatches may build a pattern per call; a pod meets the same devices again and again.
      memo ??= new Map();
      let fits = memo.get(device);
      if (fits === undefined) {
        fits = gpuMatches(device, gpu);
        memo.set(device, fits);
      }
      return fits;
    },
  };
}
