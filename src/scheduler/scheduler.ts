import { PROFILE_TABLE, isIsolationClass, type IsolationClass, type VmmBackend } from '../api/isolation.js';
import type { NodeVerdict, PlacementReason, Unschedulable } from '../api/placement.js';
import { FILTER_BY_REASON, INDEXABLE_STAGES, firstFailure } from './chain.js';
import { NO_NODES, buildUnschedulable, type SubnetShortfall } from './diagnosis.js';
import { pickGpus } from './filters/gpu.js';
import { firstUnmetRequirement } from './filters/requirements.js';
import { chargedCpu, chargedMemory } from './filters/resources.js';
import { buildNodeFacts, type NodeFacts } from './node-facts.js';
import { LEDGER_STRIDE, NodeLoad } from './node-load.js';
import { OwnerSpread } from './owner-spread.js';
import type { NodeEvaluation, PlannedPlacement, PodDecision } from './plan.js';
import { buildPodFacts, type PodFacts } from './pod-facts.js';
import { allocationAfter, betterNode } from './scoring.js';
import type { PodToPlace, SchedulingSnapshot } from './snapshot.js';

/** Tuning of a scheduling pass. */
export interface SchedulerOptions {
  /**
   * Stop looking after this many feasible nodes and take the best of them
   * (default 100). Nodes are visited from a start that rotates between pods, so
   * every node gets its turn. A pod that fits nowhere is always checked against
   * every node of its subnet.
   */
  readonly feasibleSample?: number;
}

/** Nodes that pass the indexable stages for one class and set of allowed backends. */
interface CandidateList {
  readonly nodes: readonly NodeFacts[];
  /** Where the next search starts. */
  offset: number;
  /** The diagnosis when `nodes` is empty: then it only depends on static facts. */
  diagnosis: Unschedulable | undefined;
}

interface SubnetIndex {
  /** The subnet's nodes in id order. */
  readonly nodes: readonly NodeFacts[];
  readonly claimedClasses: ReadonlySet<IsolationClass>;
  readonly claimedBackends: ReadonlySet<VmmBackend>;
  /** By `candidateKey`: the class and the allowed backends. */
  readonly candidates: Map<number | string, CandidateList>;
}

const DEFAULT_FEASIBLE_SAMPLE = 100;

/**
 * Places pods one after another over an immutable snapshot. Each placement is
 * assumed for the pods after it (its CPU, memory and GPUs are taken and its owner
 * counted), so a batch never over-commits a node; the snapshot itself is never
 * written. A pod that fits nowhere gets the full diagnosis over every node of its
 * subnet. Deterministic: the same snapshot and pods in the same order give the
 * same decisions.
 */
export class Scheduler {
  readonly #loads: readonly NodeLoad[];
  readonly #owners: OwnerSpread;
  readonly #subnets = new Map<string, SubnetIndex>();
  readonly #sample: number;
  /** Per node, verdicts whose detail depends on the node alone, by reason. */
  readonly #verdicts: Map<PlacementReason, NodeVerdict>[];

  constructor(snapshot: SchedulingSnapshot, options: SchedulerOptions = {}) {
    this.#sample = Math.max(1, Math.floor(options.feasibleSample ?? DEFAULT_FEASIBLE_SAMPLE));
    const bySubnet = new Map<string, number[]>();
    snapshot.nodes.forEach((n, i) => {
      const list = bySubnet.get(n.subnetId);
      if (list) list.push(i);
      else bySubnet.set(n.subnetId, [i]);
    });
    const facts: NodeFacts[] = new Array(snapshot.nodes.length);
    for (const [subnetId, indexes] of bySubnet) {
      indexes.sort((a, b) => compareIds(snapshot.nodes[a]!.id, snapshot.nodes[b]!.id));
      const nodes = indexes.map((i, rank) => (facts[i] = buildNodeFacts(snapshot.nodes[i]!, i, rank)));
      const claimed = nodes.flatMap((n) => (n.claimedProfile !== undefined ? [PROFILE_TABLE[n.claimedProfile]] : []));
      this.#subnets.set(subnetId, {
        nodes,
        claimedClasses: new Set(claimed.map((p) => p.isolationClass)),
        claimedBackends: new Set(claimed.flatMap((p) => (p.vmmBackend !== undefined ? [p.vmmBackend] : []))),
        candidates: new Map(),
      });
    }
    const ledger = new Float64Array(facts.length * LEDGER_STRIDE);
    this.#loads = facts.map((f, i) => new NodeLoad(ledger, f, snapshot.nodes[i]!.allocated));
    this.#owners = new OwnerSpread(snapshot.nodes);
    this.#verdicts = facts.map(() => new Map());
  }

  /** Places one pod and assumes the placement, or explains why it fits nowhere. */
  place(pod: PodToPlace): PodDecision {
    const facts = buildPodFacts(pod);
    const subnet = this.#subnets.get(pod.subnetId);
    if (subnet === undefined) return { pod: pod.id, placed: false, unschedulable: NO_NODES };
    const candidates = this.#candidates(subnet, facts);
    const chosen = this.#search(candidates, facts);
    if (chosen === undefined) return { pod: pod.id, placed: false, unschedulable: this.#diagnose(subnet, candidates, facts) };
    return { pod: pod.id, placed: true, placement: this.#assume(chosen, facts) };
  }

  /** Places pods in the given order (each sees the ones before it as assumed). */
  placeAll(pods: readonly PodToPlace[]): PodDecision[] {
    return pods.map((p) => this.place(p));
  }

  /**
   * Every node of the pod's subnet with the first check it fails (or none when
   * eligible), given what this pass has assumed so far. Assumes nothing.
   */
  evaluate(pod: PodToPlace): NodeEvaluation[] {
    const facts = buildPodFacts(pod);
    const subnet = this.#subnets.get(pod.subnetId);
    if (subnet === undefined) return [];
    return subnet.nodes.map((node) => {
      const reason = firstFailure(node, this.#loads[node.index]!, facts);
      if (reason === undefined) return { node: node.id, nodeName: node.name };
      return { node: node.id, nodeName: node.name, reason, detail: this.#verdict(node, facts, reason).detail };
    });
  }

  #candidates(subnet: SubnetIndex, pod: PodFacts): CandidateList {
    const key = candidateKey(pod);
    let list = subnet.candidates.get(key);
    if (list === undefined) {
      // The indexable stages read only static facts, the class and the backends: the same for every pod with this key.
      const nodes = subnet.nodes.filter((n) => firstFailure(n, this.#loads[n.index]!, pod, 0, INDEXABLE_STAGES) === undefined);
      list = { nodes, offset: 0, diagnosis: undefined };
      subnet.candidates.set(key, list);
    }
    return list;
  }

  #search(list: CandidateList, pod: PodFacts): NodeFacts | undefined {
    const nodes = list.nodes;
    const n = nodes.length;
    const loads = this.#loads;
    let best: NodeFacts | undefined;
    let bestOwner = 0;
    let bestAllocation = 0;
    let feasible = 0;
    let visited = 0;
    const start = list.offset;
    const owners = this.#owners.of(pod.ownerId);
    const microvm = pod.isolationClass === 'microvm';
    while (visited < n && feasible < this.#sample) {
      let i = start + visited;
      if (i >= n) i -= n;
      visited++;
      const node = nodes[i]!;
      const load = loads[node.index]!;
      if (firstFailure(node, load, pod, INDEXABLE_STAGES) !== undefined) continue;
      feasible++;
      const owner = owners === undefined ? 0 : (owners.get(node.index) ?? 0);
      const allocation = allocationAfter(load, microvm ? pod.cpuMillis + load.overheadCpu : pod.cpuMillis, microvm ? pod.memoryBytes + load.overheadMemory : pod.memoryBytes);
      if (best === undefined || betterNode(owner, allocation, node.rank, bestOwner, bestAllocation, best.rank)) {
        best = node;
        bestOwner = owner;
        bestAllocation = allocation;
      }
    }
    if (n > 0) list.offset = (start + visited) % n;
    return best;
  }

  #assume(node: NodeFacts, pod: PodFacts): PlannedPlacement {
    const load = this.#loads[node.index]!;
    const gpuIndexes = pickGpus(node, load, pod);
    const cpu = chargedCpu(load, pod);
    const memory = chargedMemory(load, pod);
    load.assume(cpu, memory, gpuIndexes);
    this.#owners.add(pod.ownerId, node.index);
    return {
      pod: pod.id,
      node: node.id,
      nodeName: node.name,
      runtimeProfile: node.profile!,
      isolationClass: node.isolationClass!,
      ...(node.vmmBackend !== undefined ? { vmmBackend: node.vmmBackend } : {}),
      ...(gpuIndexes.length ? { gpus: gpuIndexes.map((i) => node.gpus[i]!.id) } : {}),
      charged: { cpuMillis: cpu, memoryBytes: memory },
    };
  }

  #diagnose(subnet: SubnetIndex, candidates: CandidateList, pod: PodFacts): Unschedulable {
    if (candidates.nodes.length === 0 && candidates.diagnosis !== undefined) return candidates.diagnosis;
    const verdicts: NodeVerdict[] = new Array(subnet.nodes.length);
    const unmet = new Set<string>();
    for (let i = 0; i < subnet.nodes.length; i++) {
      const node = subnet.nodes[i]!;
      const reason = firstFailure(node, this.#loads[node.index]!, pod);
      // The search found no feasible node, so every node fails some check.
      if (reason === undefined) throw new Error(`scheduler: node ${node.id} is eligible for pod ${pod.id} but the search missed it`);
      verdicts[i] = this.#verdict(node, pod, reason);
      if (reason === 'requirement_unmet') {
        const r = firstUnmetRequirement(node, pod);
        unmet.add(r?.text ?? 'require does not parse');
      }
    }
    const diagnosis = buildUnschedulable(verdicts, [...unmet].sort(), this.#shortfall(subnet, pod));
    if (candidates.nodes.length === 0) candidates.diagnosis = diagnosis;
    return diagnosis;
  }

  #verdict(node: NodeFacts, pod: PodFacts, reason: PlacementReason): NodeVerdict {
    const filter = FILTER_BY_REASON.get(reason)!;
    const cache = filter.detailIsPerNode(node, reason) ? this.#verdicts[node.index]! : undefined;
    const cached = cache?.get(reason);
    if (cached !== undefined) return cached;
    const verdict: NodeVerdict = Object.freeze({ node: node.id, nodeName: node.name, reason, detail: filter.detail(node, this.#loads[node.index]!, pod, reason) });
    cache?.set(reason, verdict);
    return verdict;
  }

  #shortfall(subnet: SubnetIndex, pod: PodFacts): SubnetShortfall {
    const cls = pod.isolationClass;
    if (!isIsolationClass(cls) || !subnet.claimedClasses.has(cls)) return { missingClass: cls };
    if (cls === 'microvm' && pod.allowedBackends !== undefined && !pod.allowedBackends.some((b) => subnet.claimedBackends.has(b))) {
      return { missingBackends: pod.allowedBackends };
    }
    return {};
  }
}

/**
 * Schedules one pod over a snapshot: the placement it would get, or why it fits
 * nowhere. For a batch use a `Scheduler`, which keeps what it assumed.
 */
export function schedulePod(snapshot: SchedulingSnapshot, pod: PodToPlace, options?: SchedulerOptions): PodDecision {
  return new Scheduler(snapshot, options).place(pod);
}

/** Pods with equal keys pass the indexable stages on the same nodes: the class, and for microvm a bit per allowed backend. */
function candidateKey(pod: PodFacts): number | string {
  if (pod.isolationClass === 'container') return 0;
  if (pod.isolationClass !== 'microvm') return pod.isolationClass;
  if (pod.allowedBackends === undefined) return 4 | 3;
  let mask = 0;
  for (const b of pod.allowedBackends) mask |= b === 'qemu' ? 1 : 2;
  return 4 | mask;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
