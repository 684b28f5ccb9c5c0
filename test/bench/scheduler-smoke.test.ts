import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gpuMatches } from '../../src/api/gpu.js';
import { DEFAULT_CLASS_OVERHEAD, PROFILE_TABLE } from '../../src/api/isolation.js';
import { run, runSchedulerScenario } from '../../bench/scheduler.js';
import { SCHEDULER_SIZES, buildSchedulerScenario } from '../../bench/scheduler-scenario.js';

// The small size of the scheduler benchmark as a smoke check: it completes, and every
// placement it makes is valid when checked against the snapshot here. No timing.
describe('bench scheduler (small)', () => {
  it('completes and reports its figures', () => {
    const f = run({ size: 'small' });
    assert.equal(f.nodes, SCHEDULER_SIZES.small.nodes);
    assert.equal(f.pods, SCHEDULER_SIZES.small.pods);
    assert.equal(f.podsPlaced + f.podsUnplaceable, f.pods);
    assert.ok(f.podsPlaced > 0 && f.podsUnplaceable > 0, 'the scenario should exercise both outcomes');
    for (const v of Object.values(f)) if (typeof v === 'number') assert.ok(Number.isFinite(v));
  });

  it('every placement fits its node: class, backend, platform, capacity with overhead, GPUs', () => {
    const scenario = buildSchedulerScenario(SCHEDULER_SIZES.small);
    const { decisions } = runSchedulerScenario(scenario, 'small');
    const nodes = new Map(scenario.snapshot.nodes.map((n) => [n.id, n]));
    const used = new Map(scenario.snapshot.nodes.map((n) => [n.id, { cpu: n.allocated.cpuMillis, mem: n.allocated.memoryBytes, gpus: new Set(n.allocated.gpuIds) }]));
    const placements = decisions.flatMap((d) => (d.placed ? [d.placement] : []));
    for (const [cls, withGpu] of [['container', false], ['container', true], ['microvm', false], ['microvm', true]] as const) {
      assert.ok(placements.some((p) => p.isolationClass === cls && (p.gpus !== undefined) === withGpu), `the scenario places no ${cls}${withGpu ? ' with GPUs' : ''}`);
    }
    const perSubnet = new Map<string, number>();
    for (const n of scenario.snapshot.nodes) perSubnet.set(n.subnetId, (perSubnet.get(n.subnetId) ?? 0) + 1);
    assert.equal(decisions.length, scenario.pods.length);
    decisions.forEach((d, i) => {
      const pod = scenario.pods[i]!;
      assert.equal(d.pod, pod.id);
      if (!d.placed) {
        assert.equal(d.unschedulable.nodes.length, perSubnet.get(pod.subnetId) ?? 0, 'a diagnosis covers every node of the subnet');
        return;
      }
      const p = d.placement;
      const node = nodes.get(p.node)!;
      const report = node.report!;
      const spec = PROFILE_TABLE[report.runtimeProfile];
      assert.ok(node.admitted && node.connected && report.verified, `${pod.id} on an ineligible node`);
      assert.equal(node.subnetId, pod.subnetId);
      assert.equal(spec.isolationClass, pod.isolation.class, `${pod.id}: class`);
      if (pod.isolation.class === 'microvm') {
        const allowed = pod.subnetPolicy?.allowedVMMBackends;
        assert.ok(!allowed || allowed.includes(spec.vmmBackend!), `${pod.id}: backend`);
      }
      if (pod.platform) assert.equal(report.platform, pod.platform);
      const overhead = pod.isolation.class === 'microvm' ? (report.overhead ?? DEFAULT_CLASS_OVERHEAD[spec.vmmBackend!]) : { cpuMillis: 0, memoryBytes: 0 };
      assert.deepEqual(p.charged, { cpuMillis: pod.requests.cpuMillis + overhead.cpuMillis, memoryBytes: pod.requests.memoryBytes + overhead.memoryBytes });
      const u = used.get(p.node)!;
      u.cpu += p.charged.cpuMillis;
      u.mem += p.charged.memoryBytes;
      assert.ok(u.cpu <= report.capacity.cpuMillis && u.mem <= report.capacity.memoryBytes, `${p.node} over-committed by ${pod.id}`);
      const gpus = p.gpus ?? [];
      assert.equal(gpus.length, pod.gpu?.count ?? 0);
      for (const id of gpus) {
        const device = report.gpus.find((g) => g.id === id)!;
        assert.ok(device && gpuMatches(device, pod.gpu!), `${pod.id}: GPU ${id} does not match`);
        assert.equal(device.mode, pod.isolation.class === 'microvm' ? 'vfio' : 'host-driver');
        assert.ok(!u.gpus.has(id), `GPU ${id} handed out twice`);
        u.gpus.add(id);
      }
    });
  });
});
