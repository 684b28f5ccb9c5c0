import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Workload } from '../../src/api/workload.js';
import { createDriver } from '../../src/agent/runtime/create-driver.js';
import { startAgentProcess } from '../support/agent-process.js';
import { agentWorld, ENGINE_CASES } from '../support/agent-world.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { nodeContainers } from '../support/engine-cli.js';
import { dockerCheck, registryCheck, socketCheck } from '../support/probes.js';
import { waitUntil } from '../support/wait-until.js';

// Containers removed while the agent is stopped (field case 25, "none started twice"):
// a pod the agent had started is never started again as if it were new. `never` fails
// with runtime_unavailable, a Deployment's pod counts a restart, a pod that had ended
// stays ended. A pod that ended while the agent was away, its container left, reports
// the engine's finish time, not the agent's restart time. On Docker and on containerd.

const exec = promisify(execFile);
const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];
const SHORT = ['sh', '-c', 'echo RAN; sleep 6'];

interface EventRecord {
  readonly type: string;
  readonly message: string;
}

const cases = ENGINE_CASES;

await describeWithDaemons('containers removed while the agent is stopped are never started again as new', [dockerCheck(), socketCheck('containerd'), registryCheck()], () => {
  const world = agentWorld('agent-vanished');
  const { user, agents } = world;

  const pod = (name: string) => user.json<Workload>('get', 'pod', name);
  const events = async (name: string) => (await user.json<{ events: EventRecord[] }>('describe', 'pod', name)).events;

  for (const { profile, engine } of cases) {
    test(`${profile}: never pods whose container vanished fail, a deployment's pod counts a restart, an ended pod stays ended, finishedAt is the engine's`, async () => {
      const subnet = `vanish-${engine}`;
      const { agent: first, dir, nodeId } = await world.joinNode(subnet, profile, engine);
      const name = (hint: string) => `${hint}-${engine}`;

      await user.ok('run', IMAGE, '--name', name('done'), '--subnet', subnet, '--wait', '--', 'sh', '-c', 'echo DONE');
      await user.ok('deploy', IMAGE, '--name', name('web'), '--replicas', '1', '--subnet', subnet, '--', ...SLEEPER);
      await user.ok('run', IMAGE, '--name', name('lost'), '--subnet', subnet, '--', ...SLEEPER);
      const webPod = async () => (await user.json<{ items: Workload[] }>('get', 'pods')).items.find((p) => p.metadata.ownerReferences?.some((o) => o.name === name('web')));
      await waitUntil('web and lost Running', async () => (await webPod())?.status.phase === 'Running' && (await pod(name('lost'))).status.phase === 'Running', 60_000, 300);
      // Both end about 6 s after they start: after the agent stopped.
      await user.ok('run', IMAGE, '--name', name('ends'), '--subnet', subnet, '--', ...SHORT);
      await user.ok('run', IMAGE, '--name', name('kept'), '--subnet', subnet, '--', ...SHORT);
      await waitUntil('ends and kept Running', async () => (await pod(name('ends'))).status.phase === 'Running' && (await pod(name('kept'))).status.phase === 'Running', 30_000, 200);
      await first.stop('SIGTERM');

      const ids = new Map<string, string>();
      for (const n of ['done', 'web', 'lost', 'ends', 'kept']) {
        const p = n === 'web' ? await webPod() : await pod(name(n));
        assert.ok(p, `pod ${n}`);
        ids.set(n, p.metadata.id);
      }
      const containerOf = async (n: string) => (await nodeContainers(engine, nodeId)).filter((c) => c.labels['idyl.workload'] === ids.get(n));
      await waitUntil('ends and kept to exit while the agent is stopped', async () => {
        const cs = [...(await containerOf('ends')), ...(await containerOf('kept'))];
        return cs.length === 2 && cs.every((c) => !c.running);
      }, 20_000, 300);
      assert.equal((await pod(name('ends'))).status.phase, 'Running', 'the control plane last heard ends running');

      // Remove the containers of done, web, lost (running) and ends (exited) behind the agent's back.
      const driver = engine === 'containerd' ? await createDriver({ profile, stateDir: dir }) : undefined;
      try {
        for (const n of ['done', 'web', 'lost', 'ends']) {
          for (const c of await containerOf(n)) {
            if (engine === 'docker') await exec('docker', ['rm', '-f', c.id]);
            else await driver?.remove(c.id);
          }
          assert.equal((await containerOf(n)).length, 0, `${n}'s container is gone`);
        }
      } finally {
        await driver?.close();
      }
      const keptBefore = await containerOf('kept');
      assert.equal(keptBefore.length, 1);
      const restartAt = Date.now();

      const second = await startAgentProcess(user, dir, ['node', 'start', '--state-dir', dir]);
      agents.push(second);

      for (const n of ['ends', 'lost']) {
        const p = await waitUntil(`${n} to fail with runtime_unavailable`, async () => {
          const w = await pod(name(n));
          return w.status.phase === 'Failed' || w.status.phase === 'Succeeded' ? w : false;
        }, 30_000, 300);
        assert.equal(p.status.phase, 'Failed', `${n}: ${JSON.stringify(p.status)}`);
        assert.equal(p.status.reason, 'runtime_unavailable');
        assert.match(p.status.message ?? '', /vanished while the agent was stopped/);
        assert.equal(p.status.container?.restartCount ?? 0, 0);
        // Its container is gone, so there is no output to show: logs says nothing of its own.
        const logs = await user.run('logs', name(n));
        assert.equal(logs.code, 0, logs.stderr);
        assert.equal(logs.stdout, '', `${n}: logs printed something that is not the pod's output`);
      }
      const web = await waitUntil('web to run again after one restart', async () => {
        const w = await webPod();
        return w?.status.phase === 'Running' && (w.status.container?.restartCount ?? 0) > 0 ? w : false;
      }, 30_000, 300);
      assert.equal(web.status.container?.restartCount, 1, 'the vanished container counts as one restart');
      assert.ok((await events(web.metadata.name)).some((e) => /vanished while the agent was stopped/.test(e.message)), 'an event says why it restarted');
      const kept = await waitUntil('kept to be Succeeded', async () => {
        const w = await pod(name('kept'));
        return w.status.phase === 'Succeeded' ? w : false;
      }, 30_000, 300);

      // Give a wrongly started container time to show up, then look at the engine.
      await new Promise((r) => setTimeout(r, 2_000));
      for (const n of ['done', 'ends', 'lost']) {
        assert.deepEqual(await containerOf(n), [], `no container was made again for ${n}`);
        const pulls = (await events(name(n))).filter((e) => e.type === 'pod.pulling');
        assert.equal(pulls.length, 1, `${n} was pulled (started) once: ${JSON.stringify(pulls)}`);
      }
      assert.equal((await pod(name('done'))).status.phase, 'Succeeded', 'an ended pod stays ended');
      const webNow = await containerOf('web');
      assert.equal(webNow.length, 1);
      assert.equal(webNow[0]?.labels['idyl.restart'], '1');
      assert.equal(webNow[0]?.running, true);
      assert.deepEqual((await containerOf('kept')).map((c) => c.id), keptBefore.map((c) => c.id), 'kept is the same container, not started again');

      const finishedAt = kept.status.container?.finishedAt;
      assert.ok(finishedAt, 'kept reports when it finished');
      assert.ok(Date.parse(finishedAt) < restartAt, `finishedAt ${finishedAt} is when the engine saw it end, before the agent restarted (${new Date(restartAt).toISOString()})`);
      if (engine === 'docker') {
        const engineTime = (await exec('docker', ['inspect', '-f', '{{.State.FinishedAt}}', keptBefore[0]?.id ?? ''])).stdout.trim();
        assert.equal(Date.parse(finishedAt), Date.parse(engineTime), 'the time Docker recorded');
      }

      await user.ok('delete', 'deployment', name('web'));
      await second.stop();
    });
  }
});
