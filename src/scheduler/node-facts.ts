import type { GpuDevice } from '../api/gpu.js';
import { DEFAULT_CLASS_OVERHEAD, type IsolationClass, type Platform, type RuntimeProfile, type VmmBackend } from '../api/isolation.js';
import { parseAttribute, type ParsedAttribute } from '../policy/requirement.js';
import { assessCapability, claimedProfile } from './filters/capability-assessment.js';
import type { CapabilityReport } from '../api/node.js';
import type { NodeView } from './snapshot.js';

/**
 * What the scheduler knows about a node that does not change during a pass,
 * computed once per snapshot. Fields that come from the report are only set when
 * the report is trusted (`trusted`); otherwise they are empty and `distrust` says why.
 */
export interface NodeFacts {
  /** Position in the snapshot, the key of the node's load. */
  readonly index: number;
  /** Position among its subnet's nodes in id order: the deterministic tie-break. */
  readonly rank: number;
  readonly id: string;
  readonly name: string;
  readonly subnetId: string;
  readonly admitted: boolean;
  readonly connected: boolean;
  readonly trusted: boolean;
  readonly distrust: string | undefined;
  /** The profile the node claims even when untrusted (for "no node runs class X"). */
  readonly claimedProfile: RuntimeProfile | undefined;
  readonly profile: RuntimeProfile | undefined;
  readonly isolationClass: IsolationClass | undefined;
  readonly vmmBackend: VmmBackend | undefined;
  readonly platform: Platform | undefined;
  readonly capacityCpu: number;
  readonly capacityMemory: number;
  /** What one microVM costs beyond its request (0 on container nodes). */
  readonly overheadCpu: number;
  readonly overheadMemory: number;
  readonly gpus: readonly GpuDevice[];
  readonly gpuIndex: ReadonlyMap<string, number>;
  /** A `qemu` node whose provider declared a validated microVM GPU path. */
  readonly microvmGpuPath: boolean;
  /**
   * Host facts `require` reads: the report's attributes, plus `kernel` from the
   * report where the attributes do not name it.
   */
  readonly attributes: Readonly<Record<string, string>>;
  /** The same, parsed once for comparisons. */
  readonly parsedAttributes: ReadonlyMap<string, ParsedAttribute>;
}

/** Derives a node's static facts from its view; `rank` is its place in the subnet's id order. */
export function buildNodeFacts(view: NodeView, index: number, rank: number): NodeFacts {
  return new Facts(view, index, rank);
}

/**
 * One class with every field assigned in the constructor, so all nodes share one
 * object shape: the filters read these fields millions of times per pass.
 */
class Facts implements NodeFacts {
  readonly index: number;
  readonly rank: number;
  readonly id: string;
  readonly name: string;
  readonly subnetId: string;
  readonly admitted: boolean;
  readonly connected: boolean;
  readonly trusted: boolean;
  readonly distrust: string | undefined;
  readonly claimedProfile: RuntimeProfile | undefined;
  readonly profile: RuntimeProfile | undefined;
  readonly isolationClass: IsolationClass | undefined;
  readonly vmmBackend: VmmBackend | undefined;
  readonly platform: Platform | undefined;
  readonly capacityCpu: number;
  readonly capacityMemory: number;
  readonly overheadCpu: number;
  readonly overheadMemory: number;
  readonly gpus: readonly GpuDevice[];
  readonly gpuIndex: ReadonlyMap<string, number>;
  readonly microvmGpuPath: boolean;
  readonly attributes: Readonly<Record<string, string>>;
  readonly parsedAttributes: ReadonlyMap<string, ParsedAttribute>;

  constructor(view: NodeView, index: number, rank: number) {
    const cap = assessCapability(view.report, view.declaredProfile);
    const trusted = cap.trusted ? cap : undefined;
    const spec = trusted?.profile;
    const backend = spec?.vmmBackend;
    const overhead = backend === undefined ? undefined : (trusted?.report.overhead ?? DEFAULT_CLASS_OVERHEAD[backend]);
    this.index = index;
    this.rank = rank;
    this.id = view.id;
    this.name = view.name;
    this.subnetId = view.subnetId;
    this.admitted = view.admitted === true;
    this.connected = view.connected === true;
    this.trusted = trusted !== undefined;
    this.distrust = cap.trusted ? undefined : cap.problem;
    this.claimedProfile = claimedProfile(view.report, view.declaredProfile);
    this.profile = spec?.profile;
    this.isolationClass = spec?.isolationClass;
    this.vmmBackend = backend;
    this.platform = trusted?.platform;
    this.capacityCpu = trusted?.capacity.cpuMillis ?? 0;
    this.capacityMemory = trusted?.capacity.memoryBytes ?? 0;
    this.overheadCpu = overhead?.cpuMillis ?? 0;
    this.overheadMemory = overhead?.memoryBytes ?? 0;
    this.gpus = trusted?.gpus ?? [];
    this.gpuIndex = new Map(this.gpus.map((g, i) => [g.id, i]));
    // Declared by the provider and only meaningful for qemu: never inferred from host-driver GPUs.
    this.microvmGpuPath = backend === 'qemu' && trusted?.report.microvmGPU === true;
    this.attributes = hostFacts(trusted?.report);
    this.parsedAttributes = new Map(Object.entries(this.attributes).map(([k, v]) => [k, parseAttribute(v)]));
  }
}

function hostFacts(report: CapabilityReport | undefined): Readonly<Record<string, string>> {
  if (report === undefined) return {};
  const facts: Record<string, string> = {};
  if (typeof report.kernel === 'string') facts.kernel = report.kernel;
  for (const [k, v] of Object.entries(report.attributes)) if (typeof v === 'string') facts[k] = v;
  return Object.freeze(facts);
}
