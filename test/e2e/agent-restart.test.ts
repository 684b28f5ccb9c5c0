import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Workload } from '../../src/api/workload.js';
import { startAgentProcess } from '../support/agent-process.js';
import { agentWorld, ENGINE_CASES } from '../support/agent-world.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { nodeContainers, type EngineContainer } from '../support/engine-cli.js';
import { dockerCheck, registryCheck, socketCheck } from '../support/probes.js';
import { waitUntil } from '../support/wait-until.js';

// Kill -9 the agent of a node running 10 replicas, delete a pod while it is down,
// start it again with `idyl node start --state-dir DIR`: it takes over the 10
// containers it left (same ids, same processes, nothing started twice) and removes the
// one the control plane no longer wants (field case 25). On Docker and on containerd.

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';
const REPLICAS = 10;
/** A long-running process that ends on SIGTERM (a bare `sleep` as PID 1 ignores it and waits out the grace). */
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];

const cases = ENGINE_CASES;

await describeWithDaemons('a restarted agent adopts what it left running and removes what is no longer wanted', [dockerCheck(), socketCheck('containerd'), registryCheck()], () => {
  const world = agentWorld('agent-restart');
  const { user, agents } = world;

  const podsOf = async (deployment: string) =>
    (await user.json<{ items: Workload[] }>('get', 'pods')).items.filter((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === deployment));

  for (const { profile, engine } of cases) {
    test(`${profile}: after kill -9 and idyl node start, all ${REPLICAS} replicas are the same containers, still Running, none started twice; a pod deleted meanwhile is removed`, async () => {
      const subnet = `restart-${engine}`;
      const { agent: first, dir, nodeId } = await world.joinNode(subnet, profile, engine);

      const deployment = `keep-${engine}`;
      const gone = `gone-${engine}`;
      await user.ok('deploy', IMAGE, '--name', deployment, '--replicas', String(REPLICAS), '--subnet', subnet, '--', ...SLEEPER);
      await user.ok('run', IMAGE, '--name', gone, '--subnet', subnet, '--', ...SLEEPER);
      const running = await waitUntil(`${REPLICAS} replicas and ${gone} Running`, async () => {
        const pods = await podsOf(deployment);
        const ready = pods.filter((p) => p.status.phase === 'Running');
        const g = await user.json<Workload>('get', 'pod', gone);
        return ready.length === REPLICAS && g.status.phase === 'Running' ? { pods: ready, gone: g } : false;
      }, 120_000, 500);

      const before = new Map<string, EngineContainer>();
      for (const c of await nodeContainers(engine, nodeId)) before.set(c.labels['idyl.workload'] ?? '', c);
      assert.equal(before.size, REPLICAS + 1, `one container per pod on ${engine}`);
      for (const p of running.pods) assert.equal(before.get(p.metadata.id)?.id, p.status.container?.containerId, 'the control plane knows the container it runs in');

      await first.stop('SIGKILL');
      assert.ok((await nodeContainers(engine, nodeId)).every((c) => c.running), 'the workloads kept running without their agent');
      await user.ok('delete', 'pod', gone);

      const second = await startAgentProcess(user, dir, ['node', 'start', '--state-dir', dir]);
      agents.push(second);
      await second.waitForLog(/adopted a running pod/, REPLICAS, 60_000);
      await waitUntil(`the container of ${gone} to be removed from ${engine}`, async () => !(await nodeContainers(engine, nodeId)).some((c) => c.labels['idyl.workload'] === running.gone.metadata.id), 60_000, 300);
      await waitUntil(`pod ${gone} to be gone from the control plane`, async () => (await user.run('get', 'pod', gone)).code !== 0, 30_000, 300);

      const after = await nodeContainers(engine, nodeId);
      assert.equal(after.length, REPLICAS, `exactly the ${REPLICAS} replicas' containers are left on ${engine}`);
      for (const c of after) {
        const was = before.get(c.labels['idyl.workload'] ?? '');
        assert.ok(was, `container ${c.id} belongs to a pod that ran before the restart`);
        assert.equal(c.id, was.id, 'the same container');
        assert.equal(c.running, true);
        assert.equal(c.pid, was.pid, 'the same process: not started again');
        assert.equal(c.labels['idyl.restart'], '0');
        if (engine === 'docker') {
          assert.equal(c.startedAt, was.startedAt, 'Docker started it once');
          assert.equal(c.restartCount, 0);
        }
      }
      const seen = await waitUntil(`the control plane to show ${REPLICAS} Running after the restart`, async () => {
        const pods = await podsOf(deployment);
        return pods.length === REPLICAS && pods.every((p) => p.status.phase === 'Running') ? pods : false;
      }, 30_000, 500);
      for (const p of seen) {
        assert.equal(p.status.container?.containerId, before.get(p.metadata.id)?.id, `${p.metadata.name} runs in the container it ran in`);
        assert.equal(p.status.container?.restartCount, 0);
      }
      const deploy = await user.json<Workload>('get', 'deployment', deployment);
      assert.equal(deploy.status.replicas?.running, REPLICAS);

      await user.ok('delete', 'deployment', deployment);
      await waitUntil(`the replicas' containers to be removed from ${engine}`, async () => (await nodeContainers(engine, nodeId)).length === 0, 60_000, 500);
      await second.stop();
    });
  }
});
