import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../bench/deploy-latency.js';
import { requireDaemon } from '../support/daemon-gate.js';
import { containerdCheck } from '../support/containerd-test-env.js';
import { dockerCheck, registryCheck } from '../support/probes.js';

// The small size of the deploy-latency benchmark as a smoke check, per profile whose
// engine answers: a real server and agent, 3 sequential deploys per method and 5 at
// once all reach Running, none is lost, every figure is a finite number, and nothing
// the benchmark made is left on the engine. No timing assertions (figures: bench/README.md).
for (const [profile, engine] of [['docker', dockerCheck()], ['containerd-runc', containerdCheck()]] as const) {
  test(`bench deploy-latency (small, ${profile}): every pod runs, none is lost, nothing is left behind`, async (t) => {
    if (!(await requireDaemon(t, engine.name, engine.probe))) return;
    const registry = registryCheck();
    if (!(await requireDaemon(t, registry.name, registry.probe))) return;
    const f = await run({ size: 'small', profile });
    assert.equal(f.profiles.length, 1);
    const p = f.profiles[0]!;
    assert.equal(p.profile, profile);
    for (const s of [p.idyl, p.rawCli, p.rawApi]) assert.equal(s.n, f.plan.runs);
    assert.deepEqual({ running: p.concurrent.running, failed: p.concurrent.failed, lost: p.concurrent.lost }, { running: f.plan.concurrent, failed: 0, lost: 0 });
    assert.equal(p.leftovers, 0, 'every container the benchmark made was removed');
    assert.equal(p.agentExitedOnSigterm, true, 'the agent exits on SIGTERM');
    const numbers: number[] = [];
    const collect = (v: unknown): void => {
      if (typeof v === 'number') numbers.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(collect);
    };
    collect(p);
    for (const n of numbers) assert.ok(Number.isFinite(n), `a figure is not finite: ${JSON.stringify(p)}`);
    assert.ok(p.agent.rssMiB > 0, 'the agent has resident memory');
  });
}
