import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Workload } from '../../src/api/workload.js';
import { joinAndStart, joinedNode, removeNodeContainers, type AgentProcess } from '../support/agent-process.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { nodeContainers } from '../support/engine-cli.js';
import { CliUser, idyl, startServerProcess, type ServerProcess } from '../support/idyl-bin.js';
import { dockerCheck, registryCheck } from '../support/probes.js';
import { runId } from '../support/run-id.js';
import { waitUntil } from '../support/wait-until.js';

// `idyl node delete NODE` while its agent runs: the pods are placed anew on another
// node at once, so the deleted node's agent must stop and remove its own containers
// and exit, or every pod runs twice (field case 25: none started twice). It used to
// loop on `token is not valid` forever, its containers running on, and `node start`
// on its state dir did the same. A node deleted while its agent was stopped has its
// containers removed by the next `node start`, which then exits the same way.

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';
const REPLICAS = 3;
/** A long-running process that ends on SIGTERM (a bare `sleep` as PID 1 ignores it). */
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];
const DELETED = /node_removed: node \S+ \(node-\w+\) was deleted from the control plane; its workloads were removed .*; join again to serve/;

await describeWithDaemons('a node deleted from the control plane removes its workloads and stops', [dockerCheck(), registryCheck()], () => {
  let server: ServerProcess;
  const user = new CliUser('agent-node-delete');
  const dirs = mkdtempSync(join(tmpdir(), 'idyl-node-delete-'));
  const agents: AgentProcess[] = [];
  const nodes: Array<{ dir: string; nodeId: string }> = [];

  before(async () => {
    server = await startServerProcess();
    await user.ok('login', '--realm', server.url, '--token', server.rootToken);
    for (const name of ['del', 'del-stopped']) await user.ok('subnet', 'create', '--region', 'lab', '--name', name);
  });

  after(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    for (const n of nodes) await removeNodeContainers('docker', n.dir, n.nodeId);
    await server?.stop();
    user.remove();
    rmSync(dirs, { recursive: true, force: true });
  });

  const join_ = async (name: string, subnet = 'del') => {
    const dir = join(dirs, name);
    const agent = await joinAndStart(user, dir, subnet, 'docker', `${name}-${runId()}`);
    agents.push(agent);
    const { nodeId, name: nodeName } = joinedNode(dir);
    nodes.push({ dir, nodeId });
    return { dir, agent, nodeId, nodeName };
  };
  const podsOf = async (deployment: string) =>
    (await user.json<{ items: Workload[] }>('get', 'pods')).items.filter((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === deployment));
  const nodeStart = (dir: string) => idyl(['--homedir', user.homedir, 'node', 'start', '--state-dir', dir], { timeoutMs: 30_000 });

  test('with its agent running: the agent removes every container of the node and exits 1 naming the node; the pods run once, elsewhere; node start then says the same at once', async () => {
    const a = await join_('first');
    await user.ok('deploy', IMAGE, '--name', 'twice', '--replicas', String(REPLICAS), '--subnet', 'del', '--', ...SLEEPER);
    await waitUntil(`${REPLICAS} replicas Running on the first node`, async () => {
      const pods = await podsOf('twice');
      return pods.length === REPLICAS && pods.every((p) => p.status.phase === 'Running' && p.status.placement?.node === a.nodeId);
    }, 120_000, 500);
    assert.equal((await nodeContainers('docker', a.nodeId)).length, REPLICAS);
    const b = await join_('second');

    await user.ok('node', 'delete', a.nodeName);
    const code = await Promise.race([a.agent.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 30_000))]);
    assert.equal(code, 1, `the deleted node's agent exits 1:\n${a.agent.log().slice(-2000)}`);
    assert.match(a.agent.log(), DELETED);
    assert.ok(a.agent.log().includes(a.nodeId), 'the message names the node');
    assert.deepEqual(await nodeContainers('docker', a.nodeId), [], 'no container of the deleted node is left');

    await waitUntil(`${REPLICAS} replicas Running on the second node`, async () => {
      const pods = await podsOf('twice');
      return pods.length === REPLICAS && pods.every((p) => p.status.phase === 'Running' && p.status.placement?.node === b.nodeId);
    }, 120_000, 500);
    const everywhere = [...(await nodeContainers('docker', a.nodeId)), ...(await nodeContainers('docker', b.nodeId))];
    assert.equal(everywhere.length, REPLICAS, 'each replica runs once');

    const again = await nodeStart(a.dir);
    assert.equal(again.code, 1, `node start on the deleted node's state dir exits 1:\n${again.stderr.slice(-2000)}`);
    assert.match(again.stderr, DELETED);
    assert.doesNotMatch(again.stderr, /token is not valid/);

    await user.ok('delete', 'deployment', 'twice');
    await waitUntil('the replicas removed from the second node', async () => (await nodeContainers('docker', b.nodeId)).length === 0, 60_000, 500);
    await b.agent.stop();
  });

  test('with its agent stopped: the containers run on until node start, which removes them and exits 1', async () => {
    const c = await join_('stopped', 'del-stopped');
    await user.ok('run', IMAGE, '--name', 'left', '--subnet', 'del-stopped', '--', ...SLEEPER);
    await waitUntil('pod left Running', async () => (await user.json<Workload>('get', 'pod', 'left')).status.phase === 'Running', 120_000, 500);
    await c.agent.stop('SIGKILL');
    await user.ok('node', 'delete', c.nodeId);
    assert.equal((await nodeContainers('docker', c.nodeId)).length, 1, 'nothing removes it while no agent runs');

    const started = await nodeStart(c.dir);
    assert.equal(started.code, 1, started.stderr.slice(-2000));
    assert.match(started.stderr, DELETED);
    assert.match(started.stderr, /\(1 container\(s\)\)/);
    assert.deepEqual(await nodeContainers('docker', c.nodeId), []);
    await user.ok('delete', 'pod', 'left');
  });
});
