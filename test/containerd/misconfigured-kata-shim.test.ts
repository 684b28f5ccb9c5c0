import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, readlink, realpath, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ContainerdDriver } from '../../src/agent/runtime/containerd/containerd-driver.js';
import { askContainerd } from '../../src/agent/runtime/containerd/facts.js';
import { PROFILE_TABLE } from '../../src/api/isolation.js';
import type { Workload } from '../../src/api/workload.js';
import { ApiClient } from '../../src/client/api-client.js';
import { requireDaemon } from '../support/daemon-gate.js';
import { EditableFixtureHost, FixtureNode } from '../support/fixture-node.js';
import { startInProcessServer } from '../support/in-process-server.js';
import { waitUntil } from '../support/wait-until.js';
import { drainLogs } from '../support/drain-logs.js';
import { startScratchContainerd, type ScratchContainerd } from '../support/scratch-containerd.js';
import { testImage } from '../support/test-image.js';

const KATA_QEMU = PROFILE_TABLE['containerd-kata-qemu'].runtime;

async function findExecutable(name: string): Promise<string> {
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    const path = join(dir, name);
    if (await access(path, constants.X_OK).then(() => true, () => false)) return path;
  }
  throw new Error(`${name} is not installed`);
}

/**
 * A scratch containerd whose `containerd-shim-kata-qemu-v2` is really the runc shim, or
 * a skip. The caller stops it (after removing what it made there).
 */
async function misconfiguredDaemon(t: TestContext): Promise<{ daemon: ScratchContainerd; runcShim: string } | undefined> {
  const installed = async (): Promise<void> => {
    await findExecutable('containerd-shim-runc-v2');
    await findExecutable('containerd');
  };
  if (!(await requireDaemon(t, 'containerd and its runc shim installed', installed))) return undefined;
  const runcShim = await realpath(await findExecutable('containerd-shim-runc-v2'));
  const daemon = await startScratchContainerd({ binaries: { 'containerd-shim-kata-qemu-v2': runcShim } });
  return { daemon, runcShim };
}

test('field case 7: a Kata shim name that really runs runc starts a container with no VM behind it', { timeout: 120_000 }, async (t) => {
  const image = await testImage(t);
  if (!image) return;
  const found = await misconfiguredDaemon(t);
  if (!found) return;
  const stateDir = await mkdtemp(join(tmpdir(), 'idyl-kata-misconf-'));
  const driver = new ContainerdDriver({ socket: found.daemon.socket, stateDir });
  const name = 'kata-that-is-runc';
  t.after(async () => {
    try {
      await driver.remove(name);
    } finally {
      await driver.close();
      await found.daemon.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  // The live daemon offers the Kata runtime: the shim name is on its PATH.
  assert.ok((await driver.info()).runtimes.includes(KATA_QEMU));

  await driver.pull({ uri: image.ref }, 'if_not_present');
  const created = await driver.create({
    name,
    image: { uri: image.ref },
    command: ['/bin/sh', '-c', 'uname -r; exec sleep 60'],
    env: {},
    network: 'none',
    runtime: KATA_QEMU,
    labels: { 'idyl.managed': 'true' },
  });
  assert.equal(created.runtime, KATA_QEMU);
  await driver.start(name);

  const info = await driver.inspect(name);
  assert.equal(info?.state, 'running', 'the "Kata" start succeeded');
  assert.equal(info?.runtime, KATA_QEMU, 'containerd records the Kata runtime it was asked for');
  // What really runs it: the workload is a child of the runc shim binary, on the host kernel.
  const status = await readFile(`/proc/${info?.pid}/status`, 'utf8');
  const parent = /^PPid:\s+(\d+)$/m.exec(status)?.[1];
  assert.equal(await readlink(`/proc/${parent}/exe`), found.runcShim);
  let kernel = '';
  for (let i = 0; i < 50 && !kernel; i++) {
    kernel = (await drainLogs(driver, name, { follow: false })).stdout.trim();
    if (!kernel) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(kernel, release(), "the workload sees the host's kernel: no VM");
});

test('askContainerd finds a scratch daemon by its socket and reads that daemon PATH', { timeout: 60_000 }, async (t) => {
  const found = await misconfiguredDaemon(t);
  if (!found) return;
  t.after(() => found.daemon.stop());
  const answer = await askContainerd(found.daemon.socket);
  assert.ok(answer.ok, answer.ok ? '' : answer.error);
  assert.deepEqual(answer.facts.daemonPath?.slice(0, found.daemon.path.length), [...found.daemon.path]);
  assert.ok(answer.facts.plugins.some((p) => p.type === 'io.containerd.grpc.v1' && p.id === 'tasks' && !p.error));
  assert.ok(!answer.facts.plugins.some((p) => p.id === 'cri'), 'the scratch daemon was started without CRI');
});

test('field case 7: the agent kills a microvm pod that a runc-backed "Kata" shim started without a VM and reports it Failed with isolation_verification_failed', { timeout: 180_000 }, async (t) => {
  const image = await testImage(t);
  if (!image) return;
  const found = await misconfiguredDaemon(t);
  if (!found) return;
  const stateDir = await mkdtemp(join(tmpdir(), 'idyl-kata-misconf-agent-'));
  const server = await startInProcessServer();
  const api = new ApiClient({ realm: server.url, token: server.rootToken, timeoutMs: 15_000 });
  // The FAKE host proves Kata (there is none here); its kernel is this machine's, which the workload sees.
  const host = new EditableFixtureHost('kata-qemu-healthy');
  host.set({ basics: { arch: 'amd64', kernel: release(), cpuCount: 16, memoryBytes: 68719476736, uid: 0 } });
  const looker = new ContainerdDriver({ socket: found.daemon.socket, stateDir: await mkdtemp(join(tmpdir(), 'idyl-kata-misconf-look-')) });
  let node: FixtureNode | undefined;
  t.after(async () => {
    try {
      await node?.stop();
      for (const c of await looker.list({ 'idyl.managed': 'true' })) await looker.remove(c.id);
    } finally {
      await looker.close();
      await found.daemon.stop();
      api.close();
      await server.close();
      host.dispose();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
  await api.call('subnets.create', { body: { region: 'lab-1', name: 'kata', runtimePolicy: { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' } } });
  const driver = new ContainerdDriver({ socket: found.daemon.socket, stateDir });
  node = await FixtureNode.join(server.url, server.rootToken, { subnet: 'kata', name: 'misconfigured', profile: 'containerd-kata-qemu', host, driver });
  await api.call('workloads.create', {
    params: { namespace: 'default' },
    body: { kind: 'Pod', metadata: { name: 'case7', subnet: 'kata' }, spec: { isolation: { class: 'microvm' }, containers: [{ imageURI: image.ref, command: ['/bin/sleep', '600'] }] } },
  });
  const failed = await waitUntil(
    'pod case7 to end',
    async () => {
      const w = await api.call<Workload>('workloads.get', { params: { namespace: 'default', kind: 'pods', name: 'case7' } });
      return w.status.phase === 'Failed' || w.status.phase === 'Running' ? w : false;
    },
    120_000,
  );
  assert.equal(failed.status.placement?.node, node.id, 'placed on the misconfigured node');
  assert.equal(failed.status.phase, 'Failed');
  assert.equal(failed.status.reason, 'isolation_verification_failed');
  assert.match(String(failed.status.message), /no qemu hypervisor process names sandbox/);
  assert.match(String(failed.status.message), new RegExp(`the workload runs on the host kernel ${release().replace(/[.+]/g, '\\$&')}`));
  assert.equal(failed.status.observedIsolation, undefined, 'nothing was recorded as a verified microVM');
  // Killed and removed: nothing of it is left on the engine.
  assert.deepEqual(await looker.list({ 'idyl.managed': 'true' }), []);
});
