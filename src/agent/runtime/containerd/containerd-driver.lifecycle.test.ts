import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { RuntimeError } from '../driver.js';
import { busyboxSpec, needContainerdAndImage, scratchNamespace, shortName, type ScratchNamespace } from '../../../../test/support/containerd-test-env.js';
import { drainLogs } from '../../../../test/support/drain-logs.js';
import type { TestImage } from '../../../../test/support/test-image.js';
import { isNotFound } from './grpc-status.js';

let env: ScratchNamespace | undefined;

before(async () => {
  env = await scratchNamespace();
});

after(async () => {
  await env?.cleanup();
});

let image: TestImage | undefined;

async function ready(t: TestContext): Promise<ScratchNamespace | undefined> {
  image = await needContainerdAndImage(t);
  if (!image || !env) return undefined;
  await env.driver.pull({ uri: image.ref }, 'if_not_present');
  return env;
}

/** The busybox launch spec for `name` (after `ready`). */
function spec(name: string, overrides: Parameters<typeof busyboxSpec>[2] = {}) {
  if (!image) throw new Error('ready() first');
  return busyboxSpec(image, name, overrides);
}

async function collectLogs(driver: ScratchNamespace['driver'], id: string, tail?: number) {
  return drainLogs(driver, id, { follow: false, ...(tail !== undefined ? { tail } : {}) });
}

/** Creates, starts and waits for a container; returns its exit code and output. */
async function runToEnd(e: ScratchNamespace, name: string, overrides: Parameters<typeof busyboxSpec>[2] = {}) {
  await e.driver.create(spec(name, overrides));
  await e.driver.start(name);
  const exitCode = await e.driver.wait(name);
  return { exitCode, ...(await collectLogs(e.driver, name)) };
}

test('the image default command runs when the spec names none', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('default-cmd');
  const run = await runToEnd(e, name);
  assert.equal(run.exitCode, 0);
  assert.match(run.stdout, /hello from idyl/);
  await e.driver.remove(name);
});

test('exit code, separate stdout and stderr, and env merged over the image env', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('exit');
  const run = await runToEnd(e, name, {
    command: ['/bin/sh', '-c'],
    args: ['echo "out $GREETING $PATH"; echo "err line" >&2; exit 3'],
    env: { GREETING: 'hi there' },
  });
  assert.equal(run.exitCode, 3);
  assert.equal(run.stdout, 'out hi there /bin\n');
  assert.equal(run.stderr, 'err line\n');
  const info = await e.driver.inspect(name);
  assert.equal(info?.state, 'exited');
  assert.equal(info?.exitCode, 3);
  assert.ok(info?.startedAt && info.finishedAt && info.startedAt <= info.finishedAt);
  await e.driver.remove(name);
});

test('args alone replace the image Cmd; command alone drops it', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const withArgs = shortName('args');
  assert.equal((await runToEnd(e, withArgs, { args: ['echo', 'from args'] })).stdout, 'from args\n');
  const withCommand = shortName('command');
  assert.equal((await runToEnd(e, withCommand, { command: ['echo'] })).stdout, '\n');
  await e.driver.remove(withArgs);
  await e.driver.remove(withCommand);
});

test('cpu and memory limits reach the container cgroup under the idyl parent', async (t) => {
  const e = await ready(t);
  if (!e) return;
  if (!existsSync('/sys/fs/cgroup/memory')) return t.skip('this host has no cgroup v1 memory controller');
  const name = shortName('limits');
  const run = await runToEnd(e, name, {
    args: ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us'],
    cpuMillis: 250,
    memoryBytes: 48 * 1024 * 1024,
  });
  assert.deepEqual(run.stdout.trim().split('\n'), [String(48 * 1024 * 1024), '25000', '100000']);
  await e.driver.remove(name);
});

test('network none gives the container only a loopback interface', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('no-net');
  const run = await runToEnd(e, name, { args: ['sh', '-c', 'ls /sys/class/net; cat /sys/class/net/lo/operstate'] });
  assert.equal(run.exitCode, 0);
  assert.equal(run.stdout.split('\n')[0], 'lo');
  await e.driver.remove(name);
});

test('labels land on the container; list selects by every label given', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const a = shortName('label-a');
  const b = shortName('label-b');
  await e.driver.create(spec(a, { labels: { 'idyl.managed': 'true', 'idyl.workload': 'w-1', 'idyl.spec-hash': 'x y/z' } }));
  await e.driver.create(spec(b, { labels: { 'idyl.managed': 'true', 'idyl.workload': 'w-2' } }));
  const all = await e.driver.list({ 'idyl.managed': 'true' });
  assert.deepEqual(all.map((c) => c.id).sort(), [a, b].sort());
  const one = await e.driver.list({ 'idyl.managed': 'true', 'idyl.workload': 'w-1' });
  assert.deepEqual(one.map((c) => c.id), [a]);
  // A value containerd's filter syntax cannot carry unquoted is still matched exactly.
  assert.deepEqual((await e.driver.list({ 'idyl.spec-hash': 'x y/z' })).map((c) => c.id), [a]);
  assert.deepEqual(await e.driver.list({ 'idyl.workload': 'nobody' }), []);
  assert.equal(one[0]?.state, 'created');
  assert.equal(one[0]?.runtime, 'io.containerd.runc.v2');
  const snapshot = await e.conn.call('snapshots.Stat', { snapshotter: 'overlayfs', key: a });
  assert.equal(snapshot.info.labels['idyl.workload'], 'w-1');
  await e.driver.remove(a);
  await e.driver.remove(b);
});

test('inspect reports running with a pid in a cgroup under /idyl, and undefined for an unknown container', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('running');
  await e.driver.create(spec(name, { args: ['sleep', '30'] }));
  await e.driver.start(name);
  const info = await e.driver.inspect(name);
  assert.equal(info?.state, 'running');
  assert.ok(info?.pid && existsSync(`/proc/${info.pid}`));
  const cgroups = await readFile(`/proc/${info.pid}/cgroup`, 'utf8');
  assert.match(cgroups, new RegExp(`:/idyl/${name}$`, 'm'), 'the container cgroup sits under /idyl');
  assert.equal(await e.driver.inspect('no-such-container'), undefined);
  await e.driver.remove(name);
});

test('stop sends SIGTERM first and SIGKILL after the grace period; stopping again is benign', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const polite = shortName('polite');
  await e.driver.create(spec(polite, { args: ['sh', '-c', 'trap "echo got TERM; exit 7" TERM; while true; do sleep 0.1; done'] }));
  await e.driver.start(polite);
  await new Promise((r) => setTimeout(r, 300));
  await e.driver.stop(polite, 10_000);
  assert.equal((await e.driver.inspect(polite))?.exitCode, 7);
  assert.match((await collectLogs(e.driver, polite)).stdout, /got TERM/);
  await e.driver.stop(polite, 1000);

  const stubborn = shortName('stubborn');
  await e.driver.create(spec(stubborn, { args: ['sleep', '60'] }));
  await e.driver.start(stubborn);
  const started = Date.now();
  await e.driver.stop(stubborn, 500);
  assert.ok(Date.now() - started >= 450, 'waited for the grace period');
  assert.equal((await e.driver.inspect(stubborn))?.exitCode, 137);
  await e.driver.stop('no-such-container', 100);
  await e.driver.remove(polite);
  await e.driver.remove(stubborn);
});

test('remove takes the task, container, snapshot and log files; removing again is benign', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('remove');
  await e.driver.create(spec(name, { args: ['sleep', '60'] }));
  await e.driver.start(name);
  await e.driver.remove(name);
  assert.equal(await e.driver.inspect(name), undefined);
  await assert.rejects(e.conn.call('snapshots.Stat', { snapshotter: 'overlayfs', key: name }), (err: unknown) => isNotFound(err));
  await assert.rejects(e.conn.call('tasks.Get', { containerId: name }), (err: unknown) => isNotFound(err));
  assert.equal(existsSync(join(e.stateDir, e.namespace, name)), false);
  await e.driver.remove(name);
});

test('exec runs in the container with its env and returns output and exit code', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('exec');
  await e.driver.create(spec(name, { args: ['sleep', '60'], env: { MARK: 'inside' } }));
  await e.driver.start(name);
  const result = await e.driver.exec(name, ['sh', '-c', 'echo $MARK; cat /proc/1/cmdline | tr "\\0" " "; echo oops >&2; exit 5'], 5000);
  assert.deepEqual(result, { exitCode: 5, stdout: 'inside\nsleep 60 ', stderr: 'oops\n' });
  await e.driver.remove(name);
});

test('exec past its timeout is killed and rejects', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('exec-timeout');
  await e.driver.create(spec(name, { args: ['sleep', '60'] }));
  await e.driver.start(name);
  const started = Date.now();
  await assert.rejects(e.driver.exec(name, ['sleep', '30'], 300), (err: unknown) => err instanceof RuntimeError && /did not finish/.test(err.message));
  assert.ok(Date.now() - started < 5000);
  const ps = await e.driver.exec(name, ['ps', '-o', 'args'], 5000);
  assert.doesNotMatch(ps.stdout, /sleep 30/);
  await e.driver.remove(name);
});

test('wait on a created container resolves once it has been started and exits', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('wait-created');
  await e.driver.create(spec(name, { args: ['sh', '-c', 'exit 4'] }));
  const waiting = e.driver.wait(name);
  await new Promise((r) => setTimeout(r, 300));
  await e.driver.start(name);
  assert.equal(await waiting, 4);
  await e.driver.remove(name);
});

test('wait ends with the abort signal', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('wait-abort');
  await e.driver.create(spec(name, { args: ['sleep', '60'] }));
  await e.driver.start(name);
  const controller = new AbortController();
  const waiting = e.driver.wait(name, controller.signal);
  setTimeout(() => controller.abort(), 200);
  await assert.rejects(waiting);
  assert.equal((await e.driver.inspect(name))?.state, 'running');
  await e.driver.remove(name);
});

test('logs follow until the task exits; tail gives the last lines of each stream', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('logs');
  await e.driver.create(spec(name, { args: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line $i; sleep 0.1; done; echo bye >&2'] }));
  await e.driver.start(name);
  let stdout = '';
  let stderr = '';
  for await (const chunk of e.driver.logs(name, { follow: true })) {
    if (chunk.stream === 'stdout') stdout += chunk.data.toString();
    else stderr += chunk.data.toString();
  }
  assert.equal(stdout, 'line 1\nline 2\nline 3\nline 4\nline 5\n');
  assert.equal(stderr, 'bye\n');
  assert.equal((await collectLogs(e.driver, name, 2)).stdout, 'line 4\nline 5\n');
  await e.driver.remove(name);
  await assert.rejects(collectLogs(e.driver, name), RuntimeError);
});

test('a log follow given up early leaves no listener on the caller\'s signal and no wait behind', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('logs-quit');
  await e.driver.create(spec(name, { args: ['sh', '-c', 'while true; do echo tick; sleep 0.1; done'] }));
  await e.driver.start(name);
  const shared = new AbortController();
  for (let i = 0; i < 3; i++) {
    for await (const chunk of e.driver.logs(name, { follow: true, signal: shared.signal })) {
      assert.match(chunk.data.toString(), /tick/);
      break;
    }
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(getEventListeners(shared.signal, 'abort').length, 0, 'every follow that ended took its listeners along');
  await e.driver.stop(name, 0);
  await e.driver.remove(name);
});

test('a command that does not exist fails start with start_failed and leaves nothing', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const name = shortName('no-binary');
  await e.driver.create(spec(name, { command: ['/no/such/binary'] }));
  await assert.rejects(e.driver.start(name), (err: unknown) => err instanceof RuntimeError && err.reason === 'start_failed');
  assert.equal(await e.driver.inspect(name), undefined);
});

test('create refuses an image that is not on the node, and a name already taken', async (t) => {
  const e = await ready(t);
  if (!e) return;
  await assert.rejects(
    e.driver.create(spec(shortName('absent'), { image: { uri: `${image!.registry}/idyl/never-pulled:1` } })),
    (err: unknown) => err instanceof RuntimeError && err.reason === 'image_pull_failed',
  );
  const name = shortName('taken');
  await e.driver.create(spec(name, { args: ['true'] }));
  await assert.rejects(e.driver.create(spec(name)), (err: unknown) => err instanceof RuntimeError && err.reason === 'create_failed');
  assert.equal((await e.driver.inspect(name))?.state, 'created');
  await e.driver.remove(name);
});

test('info reports the live daemon version and the runc runtime, not Kata', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const info = await e.driver.info();
  assert.equal(info.engine, 'containerd');
  assert.match(info.version, /^\d+\.\d+/);
  assert.ok(info.runtimes.includes('io.containerd.runc.v2'));
  assert.ok(!info.runtimes.includes('io.containerd.kata-qemu.v2'));
});
