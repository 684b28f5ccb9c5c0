import type { GpuDevice, GpuRequest } from '../src/api/gpu.js';
import { PROFILE_TABLE, type RuntimeProfile } from '../src/api/isolation.js';
import type { CapabilityReport } from '../src/api/node.js';
import type { RuntimePolicy } from '../src/api/subnet.js';
import { parseGpuRequest } from '../src/api/gpu.js';
import { resolveIsolation } from '../src/policy/resolve-isolation.js';
import type { NodeView, PodToPlace, SchedulingSnapshot } from '../src/scheduler/snapshot.js';

/** A generated cluster and the pods to place on it, deterministic for a seed. */
export interface SchedulerScenario {
  readonly snapshot: SchedulingSnapshot;
  readonly pods: readonly PodToPlace[];
  /** Generated workloads that class resolution refused at submit (never reach the scheduler). */
  readonly refusedAtSubmit: number;
  readonly subnets: number;
}

/** The sizes the benchmark knows. */
export const SCHEDULER_SIZES = {
  small: { subnets: 4, nodes: 200, pods: 2_000 },
  large: { subnets: 10, nodes: 10_000, pods: 100_000 },
} as const;

type ProfileMix = ReadonlyArray<readonly [RuntimeProfile, number]>;

/** Subnet shapes, cycled: a policy and the profiles its nodes run. */
const SUBNET_KINDS: ReadonlyArray<{ policy: RuntimePolicy | undefined; mix: ProfileMix }> = [
  // The first four (the small size) cover every outcome: both classes, microVM GPUs, a class no node runs, a backend restriction.
  { policy: undefined, mix: [['docker', 50], ['containerd-runc', 30], ['containerd-kata-qemu', 15], ['containerd-kata-firecracker', 5]] },
  { policy: { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm', allowedVMMBackends: ['qemu'], microvmGPU: true }, mix: [['containerd-kata-qemu', 80], ['docker', 20]] },
  { policy: undefined, mix: [['docker', 100]] },
  { policy: { allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true, allowedVMMBackends: ['firecracker'] }, mix: [['containerd-kata-firecracker', 70], ['containerd-kata-qemu', 30]] },
  { policy: { allowedIsolationClasses: ['container', 'microvm'], defaultIsolationClass: 'container' }, mix: [['docker', 40], ['containerd-runc', 20], ['containerd-kata-qemu', 25], ['containerd-kata-firecracker', 15]] },
  { policy: { allowedIsolationClasses: ['container'] }, mix: [['docker', 60], ['containerd-runc', 35], ['containerd-kata-qemu', 5]] },
  { policy: { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' }, mix: [['containerd-kata-qemu', 60], ['containerd-kata-firecracker', 40]] },
  { policy: { allowedIsolationClasses: ['container', 'microvm'] }, mix: [['docker', 30], ['containerd-runc', 30], ['containerd-kata-qemu', 20], ['containerd-kata-firecracker', 20]] },
  { policy: { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' }, mix: [['containerd-kata-qemu', 50], ['containerd-kata-firecracker', 50]] },
  { policy: undefined, mix: [['docker', 45], ['containerd-runc', 25], ['containerd-kata-qemu', 20], ['containerd-kata-firecracker', 10]] },
];

const GIB = 2 ** 30;
const MIB = 2 ** 20;
const GPU_MODELS = [['h100', 80 * GIB], ['a100', 40 * GIB], ['l40s', 48 * GIB]] as const;
const GPU_ASKS = ['1', '1', '1', '2', '2', '2:h100', 'a100', '4:h100|a100', 'nvidia:40Gi', '8'];

/** A small seeded generator (mulberry32): the same seed gives the same scenario. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds a cluster of `nodes` nodes in `subnets` subnets with mixed profiles and
 * policies (about 5% GPU nodes, a few disconnected, unadmitted, unreported or
 * unverified nodes, part of each node already in use) and `pods` pods of mixed
 * classes, sizes, GPU asks, platforms, requirements and Deployment owners. Every
 * pod went through class resolution first, as at submit.
 */
export function buildSchedulerScenario(size: { subnets: number; nodes: number; pods: number }, seed = 1): SchedulerScenario {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const weighted = (mix: ProfileMix): RuntimeProfile => {
    let r = rnd() * mix.reduce((s, [, w]) => s + w, 0);
    for (const [p, w] of mix) if ((r -= w) < 0) return p;
    return mix[0]![0];
  };
  const policies: Array<RuntimePolicy | undefined> = [];
  const nodes: NodeView[] = [];
  for (let s = 0; s < size.subnets; s++) {
    const kind = SUBNET_KINDS[s % SUBNET_KINDS.length]!;
    policies.push(kind.policy);
    const perSubnet = Math.floor(size.nodes / size.subnets);
    for (let k = 0; k < perSubnet; k++) {
      const profile = weighted(kind.mix);
      const id = `n-${s}-${String(k).padStart(5, '0')}`;
      const roll = rnd();
      // Every 20th node carries GPUs (5%), so even the small size has a few.
      const report = roll < 0.01 ? undefined : makeReport(profile, rnd, pick, roll < 0.015, k % 20 === 7);
      const cap = report?.capacity ?? { cpuMillis: 0, memoryBytes: 0 };
      const used = rnd() * 0.3;
      nodes.push({
        id,
        name: `node-${s}-${k}`,
        subnetId: `subnet-${s}`,
        admitted: rnd() > 0.01,
        connected: rnd() > 0.03,
        declaredProfile: profile,
        report,
        allocated: { cpuMillis: Math.floor(cap.cpuMillis * used), memoryBytes: Math.floor(cap.memoryBytes * used), gpuIds: [], podsByOwner: {} },
      });
    }
  }
  const pods: PodToPlace[] = [];
  let refused = 0;
  let owner: { id: string; left: number; template: Omit<PodToPlace, 'id'> } | undefined;
  while (pods.length < size.pods) {
    if (owner && owner.left > 0) {
      owner.left--;
      pods.push({ ...owner.template, id: `pod-${pods.length}` });
      continue;
    }
    const subnet = Math.floor(rnd() * size.subnets);
    const policy = policies[subnet];
    const requested = pick([undefined, undefined, undefined, 'container', 'container', 'microvm']);
    const gpu: GpuRequest | undefined = rnd() < 0.04 ? unwrapGpu(pick(GPU_ASKS)) : undefined;
    const resolved = resolveIsolation(policy, requested, gpu);
    if (!resolved.ok) {
      refused++;
      continue;
    }
    const require = rnd() < 0.05 ? pick<Record<string, string>>([{ cuda: '>=13.0' }, { kernel: '>=6.1' }, { os: 'debian' }, { kernel: '>=6.6', os: 'ubuntu' }]) : undefined;
    const template: Omit<PodToPlace, 'id'> = {
      subnetId: `subnet-${subnet}`,
      isolation: resolved.value,
      ...(rnd() < 0.2 ? { platform: pick(['linux/amd64', 'linux/arm64']) } : {}),
      requests: { cpuMillis: pick([100, 250, 500, 1000, 2000, 4000]), memoryBytes: pick([128, 256, 512, 1024, 2048, 8192]) * MIB },
      ...(gpu ? { gpu } : {}),
      ...(require ? { require } : {}),
      subnetPolicy: policy,
    };
    if (rnd() < 0.1) {
      const id = `deploy-${pods.length}`;
      owner = { id, left: 2 + Math.floor(rnd() * 18), template: { ...template, ownerId: id } };
      pods.push({ ...owner.template, id: `pod-${pods.length}` });
    } else pods.push({ ...template, id: `pod-${pods.length}` });
  }
  return { snapshot: { nodes }, pods, refusedAtSubmit: refused, subnets: size.subnets };
}

function makeReport(profile: RuntimeProfile, rnd: () => number, pick: <T>(xs: readonly T[]) => T, unverified: boolean, withGpus: boolean): CapabilityReport {
  const spec = PROFILE_TABLE[profile];
  const cores = pick([16, 32, 48, 64]);
  const gpuNode = withGpus;
  const gpus: GpuDevice[] = [];
  if (gpuNode) {
    const [model, memoryBytes] = pick(GPU_MODELS);
    const count = pick([4, 8]);
    const mode = spec.isolationClass === 'microvm' ? 'vfio' : 'host-driver';
    for (let g = 0; g < count; g++) {
      const id = `GPU-${Math.floor(rnd() * 1e12).toString(16)}-${g}`;
      gpus.push({ id, vendor: 'nvidia', vendorId: '0x10de', deviceId: '0x2330', pciAddress: `0000:${(g + 16).toString(16)}:00.0`, model, memoryBytes, mode, named: true });
    }
  }
  return {
    runtimeProfile: profile,
    verified: !unverified,
    checks: unverified ? [{ name: 'kata-shim', ok: false, detail: 'containerd-shim-kata-v2 not found' }] : [{ name: 'engine', ok: true, detail: 'ok' }],
    platform: rnd() < 0.85 ? 'linux/amd64' : 'linux/arm64',
    kernel: pick(['6.1.0-18-amd64', '6.6.12', '5.15.0']),
    capacity: { cpuMillis: cores * 1000, memoryBytes: cores * 4 * GIB },
    engine: { name: spec.engine, version: spec.engine === 'docker' ? '20.10.24' : '1.6.20' },
    runtimes: [spec.runtime],
    gpus,
    attributes: { os: pick(['debian', 'ubuntu']), ...(gpuNode ? { cuda: pick(['12.4', '13.0']) } : {}) },
    microvmGPU: gpuNode && profile === 'containerd-kata-qemu',
  };
}

function unwrapGpu(ask: string): GpuRequest {
  const r = parseGpuRequest(ask, 'spec.gpu');
  if (!r.ok) throw r.error;
  return r.value;
}
