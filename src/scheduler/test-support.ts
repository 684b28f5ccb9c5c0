import type { GpuDevice, GpuMode } from '../api/gpu.js';
import { PROFILE_TABLE, type RuntimeProfile } from '../api/isolation.js';
import type { CapabilityReport } from '../api/node.js';
import type { PlacementReason } from '../api/placement.js';
import type { Filter } from './filters/filter.js';
import { buildNodeFacts } from './node-facts.js';
import { LEDGER_STRIDE, NodeLoad } from './node-load.js';
import { buildPodFacts } from './pod-facts.js';
import { NO_ALLOCATION, type NodeAllocation, type NodeView, type PodToPlace } from './snapshot.js';

/**
 * Builders of scheduler inputs for tests (here and in other components' tests):
 * verified reports, node views and pods with sensible defaults. Test data only.
 */

export const GIB = 2 ** 30;
export const MIB = 2 ** 20;

/** A verified, consistent capability report for `profile` (8 CPUs, 32 GiB, linux/amd64). */
export function verifiedReport(profile: RuntimeProfile, overrides: Partial<CapabilityReport> = {}): CapabilityReport {
  const spec = PROFILE_TABLE[profile];
  return {
    runtimeProfile: profile,
    verified: true,
    checks: [{ name: 'engine', ok: true, detail: 'reachable' }],
    platform: 'linux/amd64',
    kernel: '6.1.0-18-amd64',
    capacity: { cpuMillis: 8000, memoryBytes: 32 * GIB },
    engine: { name: spec.engine, version: spec.engine === 'docker' ? '20.10.24' : '1.6.20' },
    runtimes: [spec.runtime],
    gpus: [],
    attributes: {},
    microvmGPU: false,
    ...overrides,
  };
}

/** One GPU as a node reports it. */
export function gpuDevice(id: string, model: string, mode: GpuMode, memoryBytes = 80 * GIB): GpuDevice {
  return { id, vendor: 'nvidia', vendorId: '0x10de', deviceId: '0x2330', pciAddress: `0000:${id}`, model, memoryBytes, mode, named: true };
}

/** A node in `subnet-a`, admitted, connected, with a verified report for `profile` unless overridden. */
export function nodeView(id: string, profile: RuntimeProfile, overrides: Partial<NodeView> & { report?: CapabilityReport | undefined } = {}): NodeView {
  return {
    id,
    name: id,
    subnetId: 'subnet-a',
    admitted: true,
    connected: true,
    declaredProfile: profile,
    report: verifiedReport(profile),
    allocated: NO_ALLOCATION,
    ...overrides,
  };
}

/** A pod in `subnet-a` of class `cls` (explicit) requesting 500m CPU and 512 MiB, no policy. */
export function podToPlace(id: string, cls: string, overrides: Partial<PodToPlace> = {}): PodToPlace {
  return {
    id,
    subnetId: 'subnet-a',
    isolation: { class: cls as 'container', source: 'explicit' },
    requests: { cpuMillis: 500, memoryBytes: 512 * MIB },
    subnetPolicy: undefined,
    ...overrides,
  };
}

/** An allocation with the given amounts in use. */
export function allocation(overrides: Partial<NodeAllocation>): NodeAllocation {
  return { ...NO_ALLOCATION, ...overrides };
}

/** Runs one filter on one node for one pod: its reason (or undefined) and, on failure, its detail. */
export function runFilter(filter: Filter, node: NodeView, pod: PodToPlace): { reason: PlacementReason | undefined; detail?: string } {
  const facts = buildNodeFacts(node, 0, 0);
  const load = new NodeLoad(new Float64Array(LEDGER_STRIDE), facts, node.allocated);
  const podFacts = buildPodFacts(pod);
  const reason = filter.check(facts, load, podFacts);
  return reason === undefined ? { reason } : { reason, detail: filter.detail(facts, load, podFacts, reason) };
}
