import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinAndStart, joinedNode, removeNodeContainers, startAgentProcess, type AgentProcess } from '../support/agent-process.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { CliUser, startServerProcess, type ServerProcess } from '../support/idyl-bin.js';
import { dockerCheck, registryCheck } from '../support/probes.js';
import { runId } from '../support/run-id.js';

// Two agents on one state dir would follow the same node and race on the engine: the
// second `idyl node start` (or `node join --start` into that dir) is refused at once.

await describeWithDaemons('one agent per state dir', [dockerCheck(), registryCheck()], () => {
  let server: ServerProcess;
  const user = new CliUser('agent-lock');
  const dirs = mkdtempSync(join(tmpdir(), 'idyl-agent-lock-'));
  const agents: AgentProcess[] = [];
  let node: { dir: string; nodeId: string } | undefined;

  before(async () => {
    server = await startServerProcess();
    await user.ok('login', '--realm', server.url, '--token', server.rootToken);
  });

  after(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    if (node) await removeNodeContainers('docker', node.dir, node.nodeId);
    await server?.stop();
    user.remove();
    rmSync(dirs, { recursive: true, force: true });
  });

  test('a second node start on a state dir in use is refused with conflict naming the pid and the dir; the lock goes with the agent, a killed one is taken over', async () => {
    const dir = join(dirs, 'node');
    const lockFile = join(dir, 'agent.lock');
    await user.ok('subnet', 'create', '--region', 'lab', '--name', 'lock');
    const first = await joinAndStart(user, dir, 'lock', 'docker', `lock-${runId()}`);
    agents.push(first);
    node = { dir, nodeId: joinedNode(dir).nodeId };
    assert.equal(readFileSync(lockFile, 'utf8').trim(), String(first.pid));

    const t0 = Date.now();
    const second = await user.refused('node', 'start', '--state-dir', dir);
    assert.ok(Date.now() - t0 < 10_000, 'refused at once');
    assert.equal(second.code, 'conflict');
    assert.equal(second.exit, 1);
    assert.ok(second.message.includes(`pid ${first.pid}`) && second.message.includes(dir), second.message);
    const join2 = await user.refused('node', 'join', '--subnet', 'lock', '--runtime-profile', 'docker', '--state-dir', dir, '--start');
    assert.equal(join2.code, 'conflict');
    assert.ok(join2.message.includes(`pid ${first.pid}`), join2.message);
    assert.equal(readFileSync(lockFile, 'utf8').trim(), String(first.pid), 'the running agent keeps its lock');

    await first.stop('SIGTERM');
    assert.equal(existsSync(lockFile), false, 'released when the agent stops');

    const third = await startAgentProcess(user, dir, ['node', 'start', '--state-dir', dir]);
    agents.push(third);
    await third.stop('SIGKILL');
    assert.equal(readFileSync(lockFile, 'utf8').trim(), String(third.pid), 'a killed agent leaves its lock behind');
    const fourth = await startAgentProcess(user, dir, ['node', 'start', '--state-dir', dir]);
    agents.push(fourth);
    assert.equal(readFileSync(lockFile, 'utf8').trim(), String(fourth.pid), 'the stale lock was taken over');
    await fourth.stop('SIGINT');
    assert.equal(existsSync(lockFile), false);
  });
});
