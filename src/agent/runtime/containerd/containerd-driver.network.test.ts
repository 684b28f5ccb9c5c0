import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { RuntimeError } from '../driver.js';
import { busyboxSpec, needContainerdAndImage, scratchNamespace, shortName, type ScratchNamespace } from '../../../../test/support/containerd-test-env.js';
import { requireDaemon } from '../../../../test/support/daemon-gate.js';
import { drainLogs } from '../../../../test/support/drain-logs.js';
import type { TestImage } from '../../../../test/support/test-image.js';
import { CniNetwork, netnsName } from './cni-network.js';
import { ContainerdDriver } from './containerd-driver.js';
import { runProgram } from './run-program.js';

const SUBNET_PREFIX = '10.213.';
const GATEWAY = '10.213.0.1';

let env: ScratchNamespace | undefined;
let server: Server | undefined;
let port = 0;
let bridgeWasThere = true;
let firewallChainsWereThere = true;

before(async () => {
  bridgeWasThere = existsSync('/sys/class/net/idyl0');
  firewallChainsWereThere = (await runProgram('iptables', ['-w', '-S', 'CNI-FORWARD'], 10_000))?.code === 0;
  env = await scratchNamespace();
  server = createServer((_req, res) => res.end('pong'));
  await new Promise<void>((resolve) => server!.listen(0, '0.0.0.0', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server?.close();
  await env?.cleanup();
  // The bridge outlives its containers by design; a test host gets back what it had.
  const inUse = (await readdir('/run/netns').catch(() => [] as string[])).some((n) => n.startsWith('idyl-'));
  if (inUse) return;
  if (!bridgeWasThere) await runProgram('ip', ['link', 'delete', 'idyl0'], 10_000);
  if (!firewallChainsWereThere) {
    // The chains the CNI firewall plugin adds on first use.
    await runProgram('iptables', ['-w', '-D', 'FORWARD', '-m', 'comment', '--comment', 'CNI firewall plugin rules', '-j', 'CNI-FORWARD'], 10_000);
    for (const chain of ['CNI-FORWARD', 'CNI-ADMIN']) {
      await runProgram('iptables', ['-w', '-F', chain], 10_000);
      await runProgram('iptables', ['-w', '-X', chain], 10_000);
    }
  }
});

/** A host address outside the bridge subnet (reaching it from a container is egress beyond the bridge). */
function outsideAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal && !a.address.startsWith(SUBNET_PREFIX)) return a.address;
  }
  return undefined;
}

async function ready(t: TestContext): Promise<{ e: ScratchNamespace; image: TestImage } | undefined> {
  const image = await needContainerdAndImage(t);
  if (!image || !env) return undefined;
  const cni = new CniNetwork(env.stateDir);
  if (!(await requireDaemon(t, 'CNI plugins (containernetworking-plugins)', async () => {
    const why = await cni.unavailable();
    if (why) throw new Error(why);
  }))) return undefined;
  await env.driver.pull({ uri: image.ref }, 'if_not_present');
  return { e: env, image };
}

/** Runs a shell script in a container on `network`; returns exit code and output, then removes it. */
async function runOn(e: ScratchNamespace, image: TestImage, network: 'unrestricted' | 'restricted-egress', script: string) {
  const name = shortName(network);
  await e.driver.create(busyboxSpec(image, name, { network, command: ['/bin/sh', '-c', script] }));
  try {
    await e.driver.start(name);
    const exitCode = await e.driver.wait(name);
    return { name, exitCode, ...(await drainLogs(e.driver, name, { follow: false })) };
  } finally {
    await e.driver.remove(name);
  }
}

test('unrestricted: eth0 on the bridge with a default route, reaching addresses beyond the bridge', async (t) => {
  const found = await ready(t);
  if (!found) return;
  const outside = outsideAddress();
  if (!outside) return t.skip('this host has no IPv4 address outside the bridge subnet to reach');
  const run = await runOn(found.e, found.image, 'unrestricted', `ip -4 addr show eth0; ip route; timeout 5 wget -q -O - http://${outside}:${port}/`);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`inet ${SUBNET_PREFIX.replace(/\./g, '\\.')}`));
  assert.match(run.stdout, /default via 10\.213\.0\.1/);
  assert.match(run.stdout, /pong$/);
});

test('restricted-egress: the bridge is reachable, nothing beyond it is', async (t) => {
  const found = await ready(t);
  if (!found) return;
  const outside = outsideAddress();
  if (!outside) return t.skip('this host has no IPv4 address outside the bridge subnet to reach');
  const run = await runOn(
    found.e,
    found.image,
    'restricted-egress',
    `ip route; timeout 5 wget -q -O - http://${GATEWAY}:${port}/; echo; timeout 5 wget -q -O - http://${outside}:${port}/ && echo ESCAPED; exit 0`,
  );
  assert.equal(run.exitCode, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /default/, 'no default route');
  assert.match(run.stdout, /^pong$/m, 'the node gateway on the bridge answers');
  assert.doesNotMatch(run.stdout, /ESCAPED/);
  assert.match(run.stderr, /unreachable/i);
});

test('remove releases the namespace, the address and the restricted-egress rule', async (t) => {
  const found = await ready(t);
  if (!found) return;
  const { e, image } = found;
  const name = shortName('teardown');
  await e.driver.create(busyboxSpec(image, name, { network: 'restricted-egress', command: ['/bin/sleep', '60'] }));
  await e.driver.start(name);
  assert.ok(existsSync(`/run/netns/${netnsName(name)}`));
  const rules = async () => (await runProgram('iptables', ['-w', '-S', 'FORWARD'], 10_000))?.stdout ?? '';
  assert.match(await rules(), new RegExp(`idyl restricted-egress ${name}`));
  const ipam = join(e.stateDir, 'cni-ipam', 'idyl');
  assert.ok((await readdir(ipam)).some((f) => f.startsWith(SUBNET_PREFIX)));
  await e.driver.remove(name);
  assert.equal(existsSync(`/run/netns/${netnsName(name)}`), false);
  assert.doesNotMatch(await rules(), new RegExp(`idyl restricted-egress ${name}`));
  assert.ok(!(await readdir(ipam)).some((f) => f.startsWith(SUBNET_PREFIX)), 'the address went back to the pool');
  await e.driver.remove(name);
});

test('without the CNI plugins a networked create is refused with create_failed naming what is missing', async (t) => {
  const image = await needContainerdAndImage(t);
  if (!image || !env) return;
  const empty = await mkdtemp(join(tmpdir(), 'idyl-no-cni-'));
  const driver = new ContainerdDriver({ namespace: env.namespace, stateDir: env.stateDir, network: { pluginDir: empty } });
  t.after(async () => {
    await driver.close();
    await rm(empty, { recursive: true, force: true });
  });
  await driver.pull({ uri: image.ref }, 'if_not_present');
  const name = shortName('no-cni');
  await assert.rejects(driver.create(busyboxSpec(image, name, { network: 'unrestricted' })), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.equal(err.reason, 'create_failed');
    assert.match(err.message, /containernetworking-plugins/);
    return true;
  });
  assert.equal(await driver.inspect(name), undefined);
  assert.equal(existsSync(`/run/netns/${netnsName(name)}`), false);
});
