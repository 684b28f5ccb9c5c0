import assert from 'node:assert/strict';
import { after, test, type TestContext } from 'node:test';
import { expectRuntimeError } from '../../../../test/support/expect-runtime-error.js';
import { removeLabelled } from '../../../../test/support/cleanup.js';
import { requireDaemon } from '../../../../test/support/daemon-gate.js';
import { DOCKER_SOCKET, dockerCheck } from '../../../../test/support/probes.js';
import { runId, testLabels, uniqueName } from '../../../../test/support/run-id.js';
import { testImage } from '../../../../test/support/test-image.js';
import { httpRequest } from '../../../../test/support/unix-http.js';
import type { LaunchSpec } from '../driver.js';
import { DockerDriver } from './docker-driver.js';

// What only the Docker driver does (networks, GPUs on Docker, the socket); the
// behaviour every driver shares is in test/conformance.
const NETWORK = `idyl-test-${runId()}`;
const driver = new DockerDriver({ socketPath: DOCKER_SOCKET, restrictedNetwork: NETWORK });
const docker = (method: string, path: string) => httpRequest({ socketPath: DOCKER_SOCKET }, method, path);

after(async () => {
  await driver.close();
  // The network this file's driver made, if it made one; no daemon means nothing to remove.
  await docker('DELETE', `/networks/${NETWORK}`).catch(() => undefined);
});

// Resolves with a spec for `t` (its containers are removed after it), or undefined when skipped.
async function ready(t: TestContext): Promise<((overrides?: Partial<LaunchSpec>) => LaunchSpec) | undefined> {
  if (!(await requireDaemon(t, dockerCheck().name, dockerCheck().probe))) return undefined;
  const image = await testImage(t);
  if (!image) return undefined;
  await driver.pull({ uri: image.ref }, 'if_not_present');
  return (overrides = {}) => {
    const labels = testLabels(t.name);
    t.after(() => removeLabelled(driver, labels));
    return { name: uniqueName(t.name), image: { uri: image.ref }, env: {}, network: 'none', runtime: 'runc', labels, ...overrides };
  };
}

async function launch(spec: LaunchSpec): Promise<string> {
  const { id } = await driver.create(spec);
  await driver.start(id);
  return id;
}

// busybox's wget crashes when statically linked; nc does the job.
const SERVE = ['/bin/sh', '-c', 'while true; do echo ok | nc -l -p 8080; done'];
const fetchFrom = (client: string, ip: string) => driver.exec(client, ['/bin/sh', '-c', `nc -w 2 ${ip} 8080 </dev/null`], 15_000);

// Polls until the server in `id` answers on its own loopback, so a refusal seen
// later is the network's doing, not a server that was not listening yet.
async function listening(id: string): Promise<void> {
  for (let tries = 0; tries < 50; tries += 1) {
    if ((await fetchFrom(id, '127.0.0.1')).stdout === 'ok\n') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server in ${id} never answered on its loopback`);
}
const addressOf = async (id: string) => (await driver.exec(id, ['/bin/hostname', '-i'], 5000)).stdout.trim().split(/\s+/)[0] ?? '';

test('network none leaves the container only its loopback interface', async (t) => {
  const spec = await ready(t);
  if (!spec) return;
  const id = await launch(spec({ network: 'none', command: ['/bin/sleep', '300'] }));
  assert.equal((await driver.exec(id, ['/bin/ls', '/sys/class/net'], 5000)).stdout.trim(), 'lo');
});

test('restricted-egress reaches neither other networks nor its neighbours; unrestricted does', async (t) => {
  const spec = await ready(t);
  if (!spec) return;
  const open = await launch(spec({ network: 'unrestricted', command: SERVE }));
  const openClient = await launch(spec({ network: 'unrestricted', command: ['/bin/sleep', '300'] }));
  const fenced = await launch(spec({ network: 'restricted-egress', command: SERVE }));
  const fencedClient = await launch(spec({ network: 'restricted-egress', command: ['/bin/sleep', '300'] }));
  await listening(open);
  await listening(fenced);
  // The control: the same request succeeds between two unrestricted containers.
  assert.equal((await fetchFrom(openClient, await addressOf(open))).stdout, 'ok\n');
  assert.notEqual((await fetchFrom(fencedClient, await addressOf(open))).exitCode, 0, 'restricted-egress left its network');
  assert.notEqual((await fetchFrom(fencedClient, await addressOf(fenced))).exitCode, 0, 'restricted-egress reached a neighbour');
  const network = JSON.parse((await docker('GET', `/networks/${NETWORK}`)).body) as { Internal: boolean; Options: Record<string, string>; Labels: Record<string, string> };
  assert.equal(network.Internal, true);
  assert.equal(network.Options['com.docker.network.bridge.enable_icc'], 'false');
  assert.equal(network.Labels['idyl.managed'], 'true');
});

test('the restricted-egress network is made again when it was removed behind the driver\'s back', async (t) => {
  const spec = await ready(t);
  if (!spec) return;
  const first = await driver.create(spec({ network: 'restricted-egress', command: ['/bin/true'] }));
  await driver.remove(first.id);
  assert.equal((await docker('DELETE', `/networks/${NETWORK}`)).status, 204);
  const again = await launch(spec({ network: 'restricted-egress', command: ['/bin/true'] }));
  assert.equal(await driver.wait(again), 0);
});

test('field case 8: a runtime other than the daemon default is recorded as named', async (t) => {
  const spec = await ready(t);
  if (!spec) return;
  const info = await driver.info();
  const other = info.runtimes.find((name) => name !== 'runc');
  if (!other) return t.skip(`the daemon lists no runtime besides runc (${info.runtimes.join(', ')})`);
  const id = await launch(spec({ runtime: other, command: ['/bin/true'] }));
  assert.equal(await driver.wait(id), 0);
  assert.equal((await driver.inspect(id))?.runtime, other);
});

test('wait on a container not started yet resolves with its exit code once it ran', async (t) => {
  const spec = await ready(t);
  if (!spec) return;
  const { id } = await driver.create(spec({ command: ['/bin/sh', '-c', 'exit 7'] }));
  const waiting = driver.wait(id);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await driver.start(id);
  assert.equal(await waiting, 7);
});

test('GPUs on a host without a GPU device driver are refused with gpu_attach_failed', async (t) => {
  const spec = await ready(t);
  if (!spec) return;
  const info = JSON.parse((await docker('GET', '/info')).body) as { Runtimes?: Record<string, unknown> };
  if (Object.keys(info.Runtimes ?? {}).some((name) => name.includes('nvidia'))) return t.skip('this host has the NVIDIA runtime: the refusal cannot be provoked');
  const gpu = { id: 'GPU-00000000-0000-4000-8000-000000000000', vendor: 'nvidia', vendorId: '0x10de', deviceId: '0x2330', pciAddress: '0000:17:00.0', mode: 'host-driver', named: false } as const;
  await expectRuntimeError(launch(spec({ gpus: [gpu], command: ['/bin/true'] })), 'gpu_attach_failed');
});

test('a socket with no daemon behind it is runtime_unavailable', async () => {
  const nowhere = new DockerDriver({ socketPath: `/tmp/idyl-no-daemon-${runId()}.sock` });
  await expectRuntimeError(nowhere.info(), 'runtime_unavailable', 'info');
  await expectRuntimeError(nowhere.pull({ uri: '127.0.0.1:5000/idyl/busybox:1.35' }, 'always'), 'runtime_unavailable', 'pull');
  await expectRuntimeError(nowhere.list({ 'idyl.managed': 'true' }), 'runtime_unavailable', 'list');
  await nowhere.close();
});
