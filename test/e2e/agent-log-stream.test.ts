import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Workload } from '../../src/api/workload.js';
import { agentWorld, ENGINE_CASES } from '../support/agent-world.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { CliUser, IDYL_BIN } from '../support/idyl-bin.js';
import { dockerCheck, registryCheck, socketCheck } from '../support/probes.js';
import { waitUntil } from '../support/wait-until.js';

// `idyl logs -f` follows until the pod ends or is deleted (exit 0); when the node's
// side of the stream goes away (its agent killed with -9) while the pod keeps running,
// it ends with `unavailable` and exit 1, saying the node's stream broke off.

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';
/** Prints a numbered line every 200 ms; ends on SIGTERM. */
const TICKER = ['sh', '-c', 'trap "exit 0" TERM; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'];

const cases = ENGINE_CASES;

interface Following {
  readonly stdout: () => string;
  readonly exit: Promise<{ code: number; stdout: string; stderr: string }>;
}

/** `idyl logs -f NAME` as a child process whose output can be watched while it runs. */
function followLogs(user: CliUser, name: string): Following {
  const child = spawn(process.execPath, [IDYL_BIN, '--homedir', user.homedir, 'logs', '-f', name], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exit = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr });
    }),
  );
  return { stdout: () => stdout, exit };
}

await describeWithDaemons('idyl logs -f tells a broken node stream from a pod that ended', [dockerCheck(), socketCheck('containerd'), registryCheck()], () => {
  const world = agentWorld('log-stream');
  const { user } = world;

  const running = (name: string) =>
    waitUntil(`${name} Running`, async () => (await user.json<Workload>('get', 'pod', name)).status.phase === 'Running', 60_000, 300);

  for (const { profile, engine } of cases) {
    test(`${profile}: -f ends 0 when the pod ends or is deleted, and 1 (unavailable) when the agent is killed while the pod runs`, async () => {
      const subnet = `logs-${engine}`;
      const { agent } = await world.joinNode(subnet, profile, engine);

      const short = `short-${engine}`;
      await user.ok('run', IMAGE, '--name', short, '--subnet', subnet, '--', 'sh', '-c', 'echo first; sleep 3; echo last');
      await running(short);
      const ended = await followLogs(user, short).exit;
      assert.equal(ended.code, 0, `a pod that ended ends -f with 0\n${ended.stderr}`);
      assert.match(ended.stdout, /first\nlast\n/);

      const deleted = `deleted-${engine}`;
      await user.ok('run', IMAGE, '--name', deleted, '--subnet', subnet, '--', ...TICKER);
      await running(deleted);
      const untilDeleted = followLogs(user, deleted);
      await waitUntil('ticks from the pod to be deleted', () => untilDeleted.stdout().includes('tick 2'), 30_000, 100);
      await user.ok('delete', 'pod', deleted);
      const afterDelete = await untilDeleted.exit;
      assert.equal(afterDelete.code, 0, `a deleted pod ends -f with 0\n${afterDelete.stderr}`);

      const kept = `kept-${engine}`;
      await user.ok('run', IMAGE, '--name', kept, '--subnet', subnet, '--', ...TICKER);
      await running(kept);
      const following = followLogs(user, kept);
      await waitUntil('ticks from the running pod', () => following.stdout().includes('tick 2'), 30_000, 100);
      await agent.stop('SIGKILL');
      const broken = await following.exit;
      assert.equal(broken.code, 1, `a stream the node's side broke off ends -f with 1\nstdout: ${broken.stdout.slice(-200)}\nstderr: ${broken.stderr}`);
      assert.match(broken.stderr, /unavailable/);
      assert.match(broken.stderr, /log stream of pod kept-\w+ from node \S+ broke off/);
    });
  }
});
