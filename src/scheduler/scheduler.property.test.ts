import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gpuMatches, parseGpuRequest, type GpuDevice, type GpuRequest } from '../api/gpu.js';
import { DEFAULT_CLASS_OVERHEAD, PROFILE_TABLE, RUNTIME_PROFILES, isRuntimeProfile, type Platform, type RuntimeProfile } from '../api/isolation.js';
import type { CapabilityReport } from '../api/node.js';
import { PLACEMENT_REASONS } from '../api/placement.js';
import type { RuntimePolicy } from '../api/subnet.js';
import { parseRequirement, requirementMet } from '../policy/requirement.js';
import { resolveIsolation } from '../policy/resolve-isolation.js';
import { validateRuntimePolicy } from '../policy/validate-runtime-policy.js';
import { Scheduler } from './scheduler.js';
import type { NodeView, PodToPlace } from './snapshot.js';
import { GIB, MIB, verifiedReport } from './test-support.js';

// ---- generators -----------------------------------------------------------

const policyArb: fc.Arbitrary<RuntimePolicy | undefined> = fc
  .record(
    {
      allowedIsolationClasses: fc.subarray(['container', 'microvm']),
      defaultIsolationClass: fc.constantFrom('container', 'microvm'),
      requireExplicitIsolationClass: fc.boolean(),
      allowedVMMBackends: fc.subarray(['qemu', 'firecracker'], { minLength: 1 }),
      microvmGPU: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  .map((input) => validateRuntimePolicy(input))
  .filter((r) => r.ok)
  .map((r) => (r.ok ? r.value : undefined));

const gpuArb: fc.Arbitrary<GpuDevice> = fc.record({
  model: fc.constantFrom('h100', 'a100'),
  mode: fc.constantFrom<'host-driver' | 'vfio'>('host-driver', 'vfio'),
  memoryGi: fc.constantFrom(40, 80),
}).map(({ model, mode, memoryGi }) => ({ id: '', vendor: 'nvidia', vendorId: '0x10de', deviceId: '0x2330', pciAddress: '', model, memoryBytes: memoryGi * GIB, mode, named: true }));

type ReportKind = 'verified' | 'none' | 'unverified' | 'unknown-profile' | 'other-profile';

const nodeArb = fc.record({
  profile: fc.constantFrom(...RUNTIME_PROFILES),
  admitted: fc.constantFrom(true, true, true, true, false),
  connected: fc.constantFrom(true, true, true, true, false),
  reportKind: fc.constantFrom<ReportKind>('verified', 'verified', 'verified', 'verified', 'none', 'unverified', 'unknown-profile', 'other-profile'),
  platform: fc.constantFrom<Platform>('linux/amd64', 'linux/arm64'),
  cpu: fc.integer({ min: 0, max: 8000 }),
  memMi: fc.integer({ min: 0, max: 8192 }),
  overhead: fc.option(fc.record({ cpuMillis: fc.integer({ min: 0, max: 600 }), memoryBytes: fc.integer({ min: 0, max: 512 }).map((m) => m * MIB) }), { nil: undefined }),
  gpus: fc.array(gpuArb, { maxLength: 4 }),
  microvmGPU: fc.boolean(),
  cuda: fc.constantFrom(undefined, '12.4', '13.0'),
  usedCpuShare: fc.double({ min: 0, max: 1, noNaN: true }),
  usedMemShare: fc.double({ min: 0, max: 1, noNaN: true }),
  gpusInUse: fc.array(fc.boolean(), { maxLength: 4 }),
});
type GenNode = typeof nodeArb extends fc.Arbitrary<infer T> ? T : never;

const workloadArb = fc.record({
  requested: fc.constantFrom(undefined, 'container', 'microvm'),
  gpu: fc.constantFrom(undefined, undefined, '1', '2', 'h100', '2:a100|h100', 'a100:80Gi'),
  platform: fc.constantFrom(undefined, undefined, 'linux/amd64', 'linux/arm64'),
  cpu: fc.integer({ min: 0, max: 3000 }),
  memMi: fc.integer({ min: 0, max: 3000 }),
  require: fc.constantFrom<Record<string, string> | undefined>(undefined, undefined, { cuda: '>=13.0' }, { kernel: '>=6.1' }, { kernel: '>=6.6' }),
  owner: fc.constantFrom(undefined, 'd1', 'd2'),
});

function toView(g: GenNode, i: number): NodeView {
  const id = `n${i}`;
  const gpus = g.gpus.map((d, k) => ({ ...d, id: `${id}-g${k}`, pciAddress: `0000:${i}:${k}` }));
  const base = verifiedReport(g.profile, {
    platform: g.platform,
    capacity: { cpuMillis: g.cpu, memoryBytes: g.memMi * MIB },
    gpus,
    microvmGPU: g.microvmGPU,
    attributes: g.cuda ? { cuda: g.cuda } : {},
    ...(g.overhead ? { overhead: g.overhead } : {}),
  });
  const other: RuntimeProfile = g.profile === 'docker' ? 'containerd-runc' : 'docker';
  const report: CapabilityReport | undefined = {
    verified: base,
    none: undefined,
    unverified: { ...base, verified: false },
    'unknown-profile': { ...base, runtimeProfile: 'containerd-wasm' as RuntimeProfile },
    'other-profile': verifiedReport(other, { capacity: base.capacity }),
  }[g.reportKind];
  return {
    id,
    name: `node-${i}`,
    subnetId: 's',
    admitted: g.admitted,
    connected: g.connected,
    declaredProfile: g.profile,
    report,
    allocated: {
      cpuMillis: Math.floor(g.cpu * g.usedCpuShare),
      memoryBytes: Math.floor(g.memMi * MIB * g.usedMemShare),
      gpuIds: gpus.filter((_, k) => g.gpusInUse[k]).map((d) => d.id),
      podsByOwner: {},
    },
  };
}

// ---- the reference: isolation.md section 4 written out plainly -------------

interface Used {
  cpu: number;
  mem: number;
  gpus: Set<string>;
}

function expectedReason(node: NodeView, used: Used, pod: PodToPlace, policy: RuntimePolicy | undefined): string | undefined {
  if (!node.admitted) return 'node_not_admitted';
  if (!node.connected) return 'node_disconnected';
  const r = node.report;
  if (!r || !isRuntimeProfile(r.runtimeProfile) || !r.verified || r.runtimeProfile !== node.declaredProfile) return 'capability_unverified';
  const spec = PROFILE_TABLE[r.runtimeProfile];
  const cls = pod.isolation.class;
  if (spec.isolationClass !== cls) return 'isolation_class_unsupported';
  if (cls === 'microvm' && policy?.allowedVMMBackends && !policy.allowedVMMBackends.includes(spec.vmmBackend!)) return 'vmm_backend_not_allowed';
  if (pod.platform && pod.platform !== r.platform) return 'platform_mismatch';
  const overhead = cls === 'microvm' ? (r.overhead ?? DEFAULT_CLASS_OVERHEAD[spec.vmmBackend!]) : { cpuMillis: 0, memoryBytes: 0 };
  if (r.capacity.cpuMillis - used.cpu < pod.requests.cpuMillis + overhead.cpuMillis) return 'insufficient_cpu';
  if (r.capacity.memoryBytes - used.mem < pod.requests.memoryBytes + overhead.memoryBytes) return 'insufficient_memory';
  if (pod.gpu) {
    const free = r.gpus.filter((g) => !used.gpus.has(g.id) && gpuMatches(g, pod.gpu!));
    const right = free.filter((g) => g.mode === (cls === 'microvm' ? 'vfio' : 'host-driver'));
    const path = cls === 'container' || (spec.vmmBackend === 'qemu' && r.microvmGPU && policy?.microvmGPU === true);
    if (!(path && right.length >= pod.gpu.count)) return free.length >= pod.gpu.count ? 'gpu_mode_mismatch' : 'gpu_unavailable';
  }
  for (const key of Object.keys(pod.require ?? {}).sort()) {
    const req = parseRequirement(key, pod.require![key]!);
    const value = r.attributes[key] ?? (key === 'kernel' ? r.kernel : undefined);
    if (!req.ok || !requirementMet(req.value, value)) return 'requirement_unmet';
  }
  return undefined;
}

// ---- the property ----------------------------------------------------------

describe('Scheduler: property over random policies, nodes and workloads', () => {
  it('never places where class, backend, GPU mode, platform or capacity does not fit; each rejected node gets exactly the first failing reason', () => {
    fc.assert(
      fc.property(policyArb, fc.array(nodeArb, { minLength: 0, maxLength: 10 }), fc.array(workloadArb, { minLength: 1, maxLength: 8 }), (policy, genNodes, workloads) => {
        const nodes = genNodes.map(toView);
        const used = new Map(nodes.map((n) => [n.id, { cpu: n.allocated.cpuMillis, mem: n.allocated.memoryBytes, gpus: new Set(n.allocated.gpuIds) }]));
        const scheduler = new Scheduler({ nodes });
        workloads.forEach((w, i) => {
          const gpu: GpuRequest | undefined = w.gpu === undefined ? undefined : (parseGpuRequest(w.gpu, 'spec.gpu') as { ok: true; value: GpuRequest }).value;
          const resolved = resolveIsolation(policy, w.requested, gpu);
          if (!resolved.ok) return; // refused at submit: never reaches the scheduler
          const pod: PodToPlace = {
            id: `p${i}`,
            subnetId: 's',
            ...(w.owner ? { ownerId: w.owner } : {}),
            isolation: resolved.value,
            ...(w.platform ? { platform: w.platform } : {}),
            requests: { cpuMillis: w.cpu, memoryBytes: w.memMi * MIB },
            ...(gpu ? { gpu } : {}),
            ...(w.require ? { require: w.require } : {}),
            subnetPolicy: policy,
          };
          const expected = nodes.map((n) => expectedReason(n, used.get(n.id)!, pod, policy));
          const evaluation = scheduler.evaluate(pod);
          assert.deepEqual(evaluation.map((e) => e.node), nodes.map((n) => n.id).sort());
          for (const e of evaluation) {
            const want = expected[nodes.findIndex((n) => n.id === e.node)];
            assert.equal(e.reason, want, `node ${e.node}`);
            if (e.reason !== undefined) assert.ok((PLACEMENT_REASONS as readonly string[]).includes(e.reason));
          }
          const decision = scheduler.place(pod);
          if (!decision.placed) {
            assert.ok(expected.every((x) => x !== undefined), 'a feasible node existed but the pod was not placed');
            const d = decision.unschedulable;
            assert.equal(d.nodes.length, nodes.length);
            assert.equal(Object.values(d.reasons).reduce((a, b) => a + (b ?? 0), 0), nodes.length);
            return;
          }
          const p = decision.placement;
          const node = nodes.find((n) => n.id === p.node)!;
          const u = used.get(p.node)!;
          assert.equal(expectedReason(node, u, pod, policy), undefined, `placed on ineligible node ${p.node}`);
          const report = node.report!;
          const spec = PROFILE_TABLE[report.runtimeProfile];
          assert.equal(p.isolationClass, pod.isolation.class);
          assert.equal(p.runtimeProfile, report.runtimeProfile);
          assert.equal(p.vmmBackend, spec.vmmBackend);
          const picked = p.gpus ?? [];
          assert.equal(picked.length, gpu?.count ?? 0);
          for (const id of picked) {
            const device = report.gpus.find((g) => g.id === id);
            assert.ok(device && !u.gpus.has(id) && gpuMatches(device, gpu!), `GPU ${id}`);
            assert.equal(device.mode, pod.isolation.class === 'microvm' ? 'vfio' : 'host-driver');
          }
          assert.equal(new Set(picked).size, picked.length);
          u.cpu += p.charged.cpuMillis;
          u.mem += p.charged.memoryBytes;
          for (const id of picked) u.gpus.add(id);
          assert.ok(u.cpu <= report.capacity.cpuMillis && u.mem <= report.capacity.memoryBytes, 'over-committed');
        });
      }),
      { numRuns: 2000 },
    );
  });
});
