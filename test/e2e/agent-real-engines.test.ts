import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeProfile } from '../../src/api/isolation.js';
import type { NodeInfo } from '../../src/api/node.js';
import type { Workload } from '../../src/api/workload.js';
import { joinAndStart, joinedNode, removeNodeContainers, type AgentProcess } from '../support/agent-process.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { nodeContainers } from '../support/engine-cli.js';
import { CliUser, startServerProcess, type ServerProcess } from '../support/idyl-bin.js';
import { dockerCheck, registryCheck, socketCheck } from '../support/probes.js';
import { runId } from '../support/run-id.js';
import { waitUntil } from '../support/wait-until.js';

// Workloads deployed through bin/idyl really run on Docker and on containerd (runc):
// a real `idyl server`, two real agents (`idyl node join --start`) on this host, each
// in its own subnet, and the engines' own tools (`docker`, `ctr`) as the witnesses.

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

interface Engine {
  readonly profile: RuntimeProfile;
  readonly engine: 'docker' | 'containerd';
  readonly subnet: string;
  agent?: AgentProcess;
  nodeId?: string;
}

await describeWithDaemons('workloads run on real engines through the node agent', [dockerCheck(), socketCheck('containerd'), registryCheck()], () => {
  let server: ServerProcess;
  const user = new CliUser('agent-e2e');
  const dirs = mkdtempSync(join(tmpdir(), 'idyl-agent-e2e-'));
  const engines: Engine[] = [
    { profile: 'docker', engine: 'docker', subnet: 'on-docker' },
    { profile: 'containerd-runc', engine: 'containerd', subnet: 'on-containerd' },
  ];

  const pod = (name: string) => user.json<Workload>('get', 'pod', name);
  const podUntil = (name: string, what: string, accept: (w: Workload) => boolean, timeoutMs = 60_000) =>
    waitUntil(`pod ${name} ${what}`, async () => {
      const w = await pod(name);
      return accept(w) ? w : false;
    }, timeoutMs, 300);

  before(async () => {
    server = await startServerProcess();
    await user.ok('login', '--realm', server.url, '--token', server.rootToken);
    await Promise.all(
      engines.map(async (e) => {
        await user.ok('subnet', 'create', '--region', 'lab', '--name', e.subnet, '--allowed-isolation-class', 'container,microvm', '--default-isolation-class', 'container');
        const dir = join(dirs, e.profile);
        e.agent = await joinAndStart(user, dir, e.subnet, e.profile, `${e.profile}-${runId()}`);
        e.nodeId = joinedNode(dir).nodeId;
      }),
    );
  });

  after(async () => {
    const stopped = await Promise.allSettled(engines.map((e) => e.agent?.stop()));
    for (const e of engines) if (e.nodeId) await removeNodeContainers(e.profile, join(dirs, e.profile), e.nodeId);
    await server?.stop();
    user.remove();
    rmSync(dirs, { recursive: true, force: true });
    for (const s of stopped) if (s.status === 'rejected') throw s.reason;
  });

  for (const e of engines) {
    test(`${e.profile}: a pod reaches Running, its container runs on ${e.engine}, and idyl logs shows what it printed`, async () => {
      const name = `hello-${e.engine}`;
      await user.ok('run', IMAGE, '--name', name, '--subnet', e.subnet, '--', 'sh', '-c', `echo hello from ${e.engine}; sleep 3600`);
      const w = await podUntil(name, 'Running', (x) => x.status.phase === 'Running');
      assert.equal(w.status.placement?.node, e.nodeId);
      const onEngine = await nodeContainers(e.engine, e.nodeId ?? '', { 'idyl.workload': w.metadata.id });
      assert.equal(onEngine.length, 1, `one container for the pod on ${e.engine}`);
      assert.equal(onEngine[0]?.running, true);
      assert.equal(onEngine[0]?.id, w.status.container?.containerId);
      const logs = await waitUntil(`idyl logs ${name} to show the output`, async () => {
        const out = await user.ok('logs', name);
        return out.includes(`hello from ${e.engine}`) ? out : false;
      }, 20_000, 300);
      assert.match(logs, new RegExp(`^hello from ${e.engine}$`, 'm'));
    });

    test(`${e.profile}: the placement record (node, runtime profile, isolation class) shows in idyl describe and -o json (case 27)`, async () => {
      const w = await pod(`hello-${e.engine}`);
      assert.equal(w.status.placement?.node, e.nodeId);
      assert.equal(w.status.placement?.runtimeProfile, e.profile);
      assert.equal(w.status.placement?.isolationClass, 'container');
      assert.equal(w.status.placement?.vmmBackend, undefined, 'a container placement names no VMM backend');
      assert.equal(w.status.observedIsolation?.class, 'container');
      const described = await user.ok('describe', 'pod', `hello-${e.engine}`);
      assert.match(described, new RegExp(`^Placement:\\s+node ${e.profile}-${runId()} · ${e.profile} · container$`, 'm'));
      const describedJson = await user.json<Workload>('describe', 'pod', `hello-${e.engine}`);
      assert.deepEqual(describedJson.status.placement, w.status.placement);
    });

    test(`${e.profile}: a pod that exits 3 is Failed with exit code 3, one that exits 0 is Succeeded`, async () => {
      await user.ok('run', IMAGE, '--name', `exit3-${e.engine}`, '--subnet', e.subnet, '--', 'sh', '-c', 'echo bye; exit 3');
      await user.ok('run', IMAGE, '--name', `exit0-${e.engine}`, '--subnet', e.subnet, '--', 'sh', '-c', 'echo fine; exit 0');
      const failed = await podUntil(`exit3-${e.engine}`, 'ended', (x) => x.status.phase === 'Failed' || x.status.phase === 'Succeeded');
      assert.equal(failed.status.phase, 'Failed');
      assert.equal(failed.status.container?.exitCode, 3);
      const ok = await podUntil(`exit0-${e.engine}`, 'ended', (x) => x.status.phase === 'Failed' || x.status.phase === 'Succeeded');
      assert.equal(ok.status.phase, 'Succeeded');
      assert.equal(ok.status.container?.exitCode, 0);
      assert.match(await user.ok('logs', `exit3-${e.engine}`), /^bye$/m, 'the output of an ended pod is still there');
      assert.match(await user.ok('get', 'pods', `exit3-${e.engine}`), new RegExp(`^exit3-${e.engine}\\s+Failed\\b`, 'm'));
    });

    test(`${e.profile}: a pod killed for going over its memory limit is Failed with reason oom_killed, not only exit code 137`, async () => {
      await user.ok('run', IMAGE, '--name', `oom-${e.engine}`, '--subnet', e.subnet, '--memory', '16Mi', '--', 'sh', '-c', 'a=$(head -c 67108864 /dev/zero | tr "\\0" x); echo survived');
      const w = await podUntil(`oom-${e.engine}`, 'ended', (x) => x.status.phase === 'Failed' || x.status.phase === 'Succeeded');
      assert.equal(w.status.phase, 'Failed');
      assert.equal(w.status.container?.exitCode, 137);
      assert.equal(w.status.reason, 'oom_killed');
      assert.match(w.status.message ?? '', /memory limit/);
      assert.match(await user.ok('describe', 'pod', `oom-${e.engine}`), /oom_killed/);
    });

    test(`${e.profile}: idyl delete pod removes the container from ${e.engine}`, async () => {
      const name = `doomed-${e.engine}`;
      await user.ok('run', IMAGE, '--name', name, '--subnet', e.subnet, '--', 'sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait');
      const w = await podUntil(name, 'Running', (x) => x.status.phase === 'Running');
      const selector = { 'idyl.workload': w.metadata.id };
      assert.equal((await nodeContainers(e.engine, e.nodeId ?? '', selector)).length, 1);
      await user.ok('delete', 'pod', name);
      await waitUntil(`the container of ${name} to be gone from ${e.engine}`, async () => (await nodeContainers(e.engine, e.nodeId ?? '', selector)).length === 0, 30_000, 300);
      await waitUntil(`pod ${name} to be gone`, async () => (await user.run('get', 'pod', name)).code !== 0, 30_000, 300);
      assert.match((await user.refused('get', 'pod', name)).code, /not_found/);
    });

    test(`${e.profile}: a pull of a tag the registry lacks fails the pod with image_pull_failed, shown by get and describe (case 24)`, async () => {
      const name = `badpull-${e.engine}`;
      await user.ok('run', `127.0.0.1:5000/idyl/busybox:no-such-tag-${runId()}`, '--name', name, '--subnet', e.subnet, '--', 'sleep', '1');
      const w = await podUntil(name, 'out of Pending/Pulling', (x) => x.status.phase === 'Failed' || x.status.reason === 'image_pull_failed');
      assert.equal(w.status.reason, 'image_pull_failed');
      assert.equal(w.status.phase, 'Failed', 'restartPolicy never: a failed pull is terminal');
      assert.match(await user.ok('get', 'pods', name), /image_pull_failed/);
      assert.match(await user.ok('describe', 'pod', name), /image_pull_failed/);
      assert.equal((await nodeContainers(e.engine, e.nodeId ?? '', { 'idyl.workload': w.metadata.id })).length, 0, 'nothing was created');
    });
  }

  test('a Deployment whose image cannot be pulled keeps retrying with reason image_pull_failed, never in limbo (case 24)', async () => {
    await user.ok('deploy', `127.0.0.1:5000/idyl/busybox:no-such-tag-${runId()}`, '--name', 'badpull-deploy', '--replicas', '1', '--subnet', 'on-docker', '--', 'sleep', '3600');
    const items = await waitUntil('the Deployment pod to show image_pull_failed', async () => {
      const list = (await user.json<{ items: Workload[] }>('get', 'pods')).items.filter((p) => p.metadata.ownerReferences?.some((o) => o.name === 'badpull-deploy'));
      return list.length === 1 && list[0]?.status.reason === 'image_pull_failed' ? list : false;
    }, 60_000, 300);
    const p = items[0] as Workload;
    assert.notEqual(p.status.phase, 'Running');
    assert.notEqual(p.status.phase, 'Succeeded');
    assert.match(String(p.status.message ?? p.status.container?.message), /retrying/);
    assert.match(await user.ok('describe', 'pod', p.metadata.name), /image_pull_failed/);
    await user.ok('delete', 'deployment', 'badpull-deploy');
  });

  test('a microvm pod while only container nodes exist stays Pending with isolation_class_unsupported counted', async () => {
    await user.ok('run', IMAGE, '--name', 'wants-vm', '--subnet', 'on-docker', '--isolation-class', 'microvm', '--', 'sleep', '3600');
    const w = await podUntil('wants-vm', 'diagnosed', (x) => x.status.unschedulable !== undefined);
    assert.equal(w.status.phase, 'Pending');
    assert.deepEqual(w.status.unschedulable?.reasons, { isolation_class_unsupported: 1 });
    assert.equal(w.status.placement, undefined);
    assert.match(await user.ok('describe', 'pod', 'wants-vm'), /isolation_class_unsupported/);
    assert.equal((await nodeContainers('docker', engines[0]?.nodeId ?? '', { 'idyl.workload': w.metadata.id })).length, 0);
  });

  test('idyl node join --runtime-profile containerd-kata-qemu on a host without Kata is refused naming the failed checks, and registers nothing', async () => {
    const dir = join(dirs, 'kata');
    const before = (await user.json<{ items: NodeInfo[] }>('node', 'get', '--subnet', 'on-containerd')).items.map((n) => n.id);
    const r = await user.refused('node', 'join', '--subnet', 'on-containerd', '--runtime-profile', 'containerd-kata-qemu', '--name', 'kata-here', '--state-dir', dir);
    assert.notEqual(r.exit, 0);
    assert.equal(r.code, 'validation_failed');
    for (const check of ['kata.shim', 'kata.config']) assert.match(r.message, new RegExp(check.replace('.', '\\.')), `names ${check}`);
    const afterJoin = (await user.json<{ items: NodeInfo[] }>('node', 'get', '--subnet', 'on-containerd')).items;
    assert.deepEqual(afterJoin.map((n) => n.id), before);
    assert.ok(!afterJoin.some((n) => n.name === 'kata-here'));
    assert.equal(existsSync(join(dir, 'node.json')), false, 'no credential was stored');
  });

  test('every workload reached Running, a terminal phase, or Pending with a reason (case 26)', async () => {
    const pods = (await user.json<{ items: Workload[] }>('get', 'pods')).items;
    const made = engines.flatMap((e) => ['hello', 'exit3', 'exit0', 'badpull'].map((n) => `${n}-${e.engine}`)).concat('wants-vm');
    for (const name of made) assert.ok(pods.some((p) => p.metadata.name === name), `${name} is listed`);
    const limbo = pods.filter((p) => {
      const s = p.status;
      if (s.phase === 'Running' || s.phase === 'Succeeded' || s.phase === 'Failed') return false;
      return !(s.unschedulable?.summary || s.reason);
    });
    assert.deepEqual(limbo.map((p) => `${p.metadata.name}: ${p.status.phase}`), []);
  });

  test('SIGTERM (Ctrl-C) ends idyl node start on each engine while pods run, and the pods keep running', async () => {
    for (const e of engines) {
      const w = await pod(`hello-${e.engine}`);
      assert.equal(w.status.phase, 'Running');
      // stop() rejects when the process is still there after its grace.
      await e.agent?.stop('SIGTERM');
      assert.match(e.agent?.log() ?? '', /agent stopped/);
      const left = await nodeContainers(e.engine, e.nodeId ?? '', { 'idyl.workload': w.metadata.id });
      assert.equal(left.length, 1);
      assert.equal(left[0]?.running, true, `the pod still runs on ${e.engine} without its agent`);
    }
  });
});
