import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Workload } from '../../src/api/workload.js';
import { agentWorld, ENGINE_CASES } from '../support/agent-world.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { nodeContainers } from '../support/engine-cli.js';
import { dockerCheck, registryCheck, socketCheck } from '../support/probes.js';
import { waitUntil } from '../support/wait-until.js';

// Pods deleted together are stopped together, and a pod assigned meanwhile does not
// wait behind their grace periods (field case 26). A bare `sleep` as PID 1 ignores
// SIGTERM, so each deleted pod takes the agent's whole stop grace (10 s) to go.

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';
const GRACE_MS = 10_000;
const DELETED = 3;

const cases = ENGINE_CASES;

await describeWithDaemons('pods deleted together are stopped concurrently; a new pod does not wait behind them', [dockerCheck(), socketCheck('containerd'), registryCheck()], () => {
  const world = agentWorld('agent-stops');
  const { user } = world;

  for (const { profile, engine } of cases) {
    test(`${profile}: ${DELETED} sleep pods deleted together leave the host within one grace; a pod run right after ends before they are gone`, async () => {
      const subnet = `stops-${engine}`;
      const { agent, nodeId } = await world.joinNode(subnet, profile, engine);

      const names = Array.from({ length: DELETED }, (_, i) => `stubborn-${engine}-${i}`);
      for (const name of names) await user.ok('run', IMAGE, '--name', name, '--subnet', subnet, '--', 'sleep', '3600');
      await waitUntil(`${DELETED} sleep pods Running`, async () => {
        const pods = await Promise.all(names.map((n) => user.json<Workload>('get', 'pod', n)));
        return pods.every((p) => p.status.phase === 'Running');
      }, 60_000, 300);
      assert.equal((await nodeContainers(engine, nodeId)).length, DELETED);

      const t0 = Date.now();
      await Promise.all(names.map((n) => user.ok('delete', 'pod', n)));
      let goneAt = 0;
      const allGone = waitUntil('the deleted pods to leave the host', async () => {
        if ((await nodeContainers(engine, nodeId)).some((c) => names.includes(c.labels['idyl.workload.name'] ?? ''))) return false;
        goneAt = Date.now();
        return true;
      }, DELETED * GRACE_MS + 30_000, 250);

      const quick = await user.run('run', IMAGE, '--name', `quick-${engine}`, '--subnet', subnet, '--wait', '--', 'echo', 'hi');
      const quickAt = Date.now();
      assert.equal(quick.code, 0, quick.stderr);
      await allGone;
      assert.ok(quickAt < goneAt, `the new pod ended (${quickAt - t0} ms) before the deleted ones were gone (${goneAt - t0} ms): it did not wait behind their stops`);
      assert.ok(goneAt - t0 < 2 * GRACE_MS, `the ${DELETED} deleted pods left the host within ${goneAt - t0} ms, under two grace periods: stopped concurrently`);
      await agent.stop();
    });
  }
});
