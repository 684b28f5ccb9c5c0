import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../bench/api-create.js';

// The small size of the api-create benchmark as a smoke check: 200 fake nodes join 4
// subnets of a real server, 2,000 pods are created through the API, every creation is
// answered 201 and the scheduler places every pod. No timing assertions (figures:
// bench/README.md).
test('bench api-create (small): every pod creation succeeds and every pod is placed', async () => {
  const f = await run({ size: 'small' });
  assert.equal(f.nodes, 200);
  assert.equal(f.pods, 2000);
  assert.equal(f.registration.failures, 0);
  assert.deepEqual(f.create.statuses, { 201: 2000 });
  assert.equal(f.create.failures, 0);
  assert.equal(f.create.firstFailure, undefined);
  assert.equal(f.create.latency.requests, 2000);
  assert.equal(f.placement.placed, 2000, 'every pod placed on a fake node');
  assert.ok(f.placement.placedWhenCreated <= f.placement.placed);
  const figures = [f.create.seconds, f.create.creationsPerSecond, f.create.serverCpuSeconds, f.create.latency.p50Ms, f.create.latency.p99Ms, f.create.latency.maxMs, f.registration.seconds, f.placement.settleSeconds];
  for (const x of figures) assert.ok(Number.isFinite(x) && x >= 0, `finite figure: ${x}`);
  assert.ok(f.create.latency.p50Ms <= f.create.latency.p99Ms && f.create.latency.p99Ms <= f.create.latency.maxMs);
  for (const m of [f.memory.started, f.memory.afterNodes, f.memory.end]) assert.ok(m.rssMiB > 0 && m.hwmMiB >= m.rssMiB, `memory read: ${JSON.stringify(m)}`);
});
