import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { HostCheck } from '../../api/node.js';
import { RUNTIME_PROFILES } from '../../api/isolation.js';
import { CHECK, PROFILE_CHECKS } from './check-names.js';
import { FixtureHostView, fixtureHostsDir } from './fixture-host-view.js';
import { checkHost } from './host-checks.js';

async function run(host: string | FixtureHostView, profile: string): Promise<HostCheck[]> {
  const view = typeof host === 'string' ? FixtureHostView.named(host) : host;
  const result = await checkHost(view, profile);
  assert.ok(result.ok, `checkHost refused: ${result.ok ? '' : result.error.message}`);
  return result.value;
}

function check(checks: readonly HostCheck[], name: string): HostCheck {
  const found = checks.find((c) => c.name === name);
  assert.ok(found, `no check named ${name} in ${checks.map((c) => c.name).join(', ')}`);
  return found;
}

const failed = (checks: readonly HostCheck[]) => checks.filter((c) => !c.ok).map((c) => c.name);

// Temporary fixture hosts built on a committed one, for variants too small to deserve a folder.
const scratch = mkdtempSync(join(tmpdir(), 'idyl-host-checks-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let variants = 0;
function variant(base: string, spec: Record<string, unknown>, files: Record<string, string> = {}): FixtureHostView {
  const dir = join(scratch, `v${++variants}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'host.json'), JSON.stringify({ base: join(fixtureHostsDir(), base), ...spec }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return new FixtureHostView(dir);
}

describe('host checks per profile', () => {
  test('each profile reports exactly its documented checks, in order, on any host', async () => {
    for (const profile of RUNTIME_PROFILES) {
      for (const host of ['docker-healthy', 'containerd-down', 'kata-qemu-config-corrupt']) {
        const names = (await run(host, profile)).map((c) => c.name);
        assert.deepEqual(names, PROFILE_CHECKS[profile], `${profile} on ${host}`);
      }
    }
  });

  test('docker host: every docker check passes and names the engine version', async () => {
    const checks = await run('docker-healthy', 'docker');
    assert.deepEqual(failed(checks), []);
    assert.match(check(checks, CHECK.dockerEngine).detail, /\/var\/run\/docker\.sock: reachable, version 24\.0\.7/);
  });

  test('docker daemon down: docker.engine fails naming the socket, runc is not checked', async () => {
    const checks = await run('docker-down', 'docker');
    assert.deepEqual(failed(checks), [CHECK.dockerEngine, CHECK.dockerRunc]);
    assert.match(check(checks, CHECK.dockerEngine).detail, /^Docker Engine socket \/var\/run\/docker\.sock: connection refused/);
    assert.match(check(checks, CHECK.dockerRunc).detail, /^not checked/);
  });

  test('containerd host: every containerd-runc check passes with shims from containerd\'s PATH', async () => {
    const checks = await run('containerd-healthy', 'containerd-runc');
    assert.deepEqual(failed(checks), []);
    assert.match(check(checks, CHECK.containerdEngine).detail, /version 1\.7\.13/);
    assert.match(check(checks, CHECK.runcShim).detail, /\/usr\/bin\/containerd-shim-runc-v2 on containerd's PATH/);
  });

  test('runc shim on the agent\'s PATH but not on containerd\'s: containerd.shim.runc fails', async () => {
    const checks = await run('containerd-shim-only-on-agent-path', 'containerd-runc');
    assert.deepEqual(failed(checks), [CHECK.runcShim]);
    assert.match(check(checks, CHECK.runcShim).detail, /containerd-shim-runc-v2: not found on containerd's PATH \(\/usr\/local\/sbin:/);
  });

  test('containerd daemon PATH unknown: shims are looked up on the agent\'s PATH and the detail says so', async () => {
    const base = FixtureHostView.named('containerd-healthy');
    const facts = await base.containerd();
    assert.ok(facts.ok);
    const { daemonPath: _unused, ...withoutPath } = facts.facts;
    const checks = await run(variant('containerd-healthy', { containerd: { ok: true, facts: withoutPath } }), 'containerd-runc');
    assert.deepEqual(failed(checks), []);
    assert.match(check(checks, CHECK.runcShim).detail, /this agent's PATH \(containerd's own PATH is unknown\)/);
  });

  test('containerd down: the engine and plugin checks fail, the socket is named, binaries are still looked for', async () => {
    const checks = await run('containerd-down', 'containerd-runc');
    assert.deepEqual(failed(checks), [CHECK.containerdEngine, CHECK.containerdTask, CHECK.containerdOverlayfs]);
    assert.equal(check(checks, CHECK.containerdEngine).detail, 'containerd socket /run/containerd/containerd.sock: not found');
    assert.match(check(checks, CHECK.containerdTask).detail, /^not checked: containerd is not reachable/);
    assert.match(check(checks, CHECK.runcShim).detail, /this agent's PATH/);
  });

  test('unknown profile on a node is refused with the four profiles (field case 11)', async () => {
    const result = await checkHost(FixtureHostView.named('kata-qemu-healthy'), 'kata');
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'validation_failed');
    assert.equal(result.error.details?.field, 'runtimeProfile');
    assert.deepEqual(result.error.details?.allowed, [...RUNTIME_PROFILES]);
  });
});

describe('Kata checks', () => {
  test('kata-qemu host: every check passes and the config is named', async () => {
    const checks = await run('kata-qemu-healthy', 'containerd-kata-qemu');
    assert.deepEqual(failed(checks), []);
    assert.match(check(checks, CHECK.kataConfig).detail, /configuration-qemu\.toml: \[hypervisor\.qemu\] names hypervisor \/opt\/kata\/bin\/qemu-system-x86_64/);
  });

  test('kata-fc host: every check passes, devmapper included', async () => {
    assert.deepEqual(failed(await run('kata-fc-healthy', 'containerd-kata-firecracker')), []);
  });

  test('Kata shim present but config missing: kata.config fails and what it would name is not checked (field case 2)', async () => {
    const checks = await run('kata-qemu-shim-without-config', 'containerd-kata-qemu');
    assert.ok(check(checks, CHECK.kataShim).ok);
    assert.deepEqual(failed(checks), [CHECK.kataConfig, CHECK.kataHypervisor, CHECK.kataKernel, CHECK.kataGuestImage]);
    assert.match(check(checks, CHECK.kataConfig).detail, /^no Kata config for qemu: looked for configuration-qemu\.toml/);
  });

  test('Kata config unreadable: kata.config fails as unreadable, never a weaker class (field case 11)', async () => {
    const checks = await run('kata-qemu-config-unreadable', 'containerd-kata-qemu');
    assert.equal(
      check(checks, CHECK.kataConfig).detail,
      'kata config /opt/kata/share/defaults/kata-containers/configuration-qemu.toml: present but unreadable',
    );
    assert.ok(failed(checks).includes(CHECK.kataHypervisor));
  });

  test('corrupt Kata config in /etc fails with its line even though a good default exists (field case 11)', async () => {
    const checks = await run('kata-qemu-config-corrupt', 'containerd-kata-qemu');
    assert.match(check(checks, CHECK.kataConfig).detail, /^kata config \/etc\/kata-containers\/configuration-qemu\.toml: not valid TOML \(line 3: /);
    assert.ok(!check(checks, CHECK.kataKernel).ok);
  });

  test('no /dev/kvm: kvm.device fails (field case 15)', async () => {
    const checks = await run('kvm-missing', 'containerd-kata-qemu');
    assert.deepEqual(failed(checks), [CHECK.kvmDevice]);
    assert.match(check(checks, CHECK.kvmDevice).detail, /^\/dev\/kvm: not found/);
  });

  test('/dev/kvm not read/write: kvm.device fails naming the uid (field case 15)', async () => {
    const checks = await run('kvm-not-read-write', 'containerd-kata-qemu');
    assert.deepEqual(failed(checks), [CHECK.kvmDevice]);
    assert.equal(check(checks, CHECK.kvmDevice).detail, '/dev/kvm: present but not read/write for uid 1000');
  });

  test('CPU without vmx/svm inside a VM: kvm.virtualisation fails saying nested virtualisation is off (field case 15)', async () => {
    const checks = await run('cpu-without-virtualisation', 'containerd-kata-qemu');
    assert.deepEqual(failed(checks), [CHECK.kvmVirtualisation]);
    assert.match(check(checks, CHECK.kvmVirtualisation).detail, /neither vmx nor svm: nested virtualisation off/);
  });

  test('arm64 host: virtualisation is judged by /dev/kvm, not x86 CPU flags', async () => {
    const basics = { arch: 'arm64', kernel: '6.1.0-18-arm64', cpuCount: 8, memoryBytes: 2 ** 34 };
    const withKvm = await run(variant('cpu-without-virtualisation', { basics }), 'containerd-kata-qemu');
    assert.ok(check(withKvm, CHECK.kvmVirtualisation).ok);
    const withoutKvm = await run(variant('cpu-without-virtualisation', { basics, absent: ['/dev/kvm'] }), 'containerd-kata-qemu');
    assert.deepEqual(failed(withoutKvm), [CHECK.kvmDevice, CHECK.kvmVirtualisation]);
  });

  test('Firecracker host without devmapper: the block-device snapshotter check fails and says why (field case 16)', async () => {
    const checks = await run('kata-fc-without-devmapper', 'containerd-kata-firecracker');
    assert.deepEqual(failed(checks), [CHECK.containerdDevmapper]);
    assert.match(check(checks, CHECK.containerdDevmapper).detail, /^block-device snapshotter for Firecracker.*devmapper failed to load: devmapper not configured$/);
    assert.deepEqual(failed(await run('kata-fc-without-devmapper', 'containerd-kata-qemu')), [], 'QEMU does not need devmapper');
  });

  test('Firecracker config names a hypervisor that is not installed: kata.hypervisor names config and path', async () => {
    const checks = await run('kata-fc-hypervisor-missing', 'containerd-kata-firecracker');
    assert.deepEqual(failed(checks), [CHECK.kataHypervisor]);
    assert.equal(
      check(checks, CHECK.kataHypervisor).detail,
      'kata config /etc/kata-containers/configuration-fc.toml names hypervisor /opt/kata/bin/firecracker: not found',
    );
  });

  test('backend shim missing: kata.shim fails naming both shims it looked for', async () => {
    const view = variant('kata-fc-healthy', { absent: ['/opt/kata/bin/containerd-shim-kata-fc-v2'] });
    const checks = await run(view, 'containerd-kata-firecracker');
    assert.deepEqual(failed(checks), [CHECK.kataShim]);
    assert.match(check(checks, CHECK.kataShim).detail, /^containerd-shim-kata-fc-v2: not found on containerd's PATH/);
  });

  test('the generic Kata shim alone is refused: the runtime idyl names needs the backend shim', async () => {
    const view = variant('kata-qemu-healthy', { absent: ['/opt/kata/bin/containerd-shim-kata-qemu-v2'] }, { 'opt/kata/bin/containerd-shim-kata-v2': '' });
    const checks = await run(view, 'containerd-kata-qemu');
    assert.deepEqual(failed(checks), [CHECK.kataShim]);
    assert.match(check(checks, CHECK.kataShim).detail, /^containerd-shim-kata-qemu-v2: not found on containerd's PATH/);
  });

  test('a config with an initrd instead of an image passes when the initrd exists, fails when it does not', async () => {
    const toml = '[hypervisor.qemu]\npath = "/opt/kata/bin/qemu-system-x86_64"\nkernel = "/opt/kata/share/kata-containers/vmlinux.container"\ninitrd = "/opt/kata/share/kata-containers/initrd.img"\n';
    const cfg = 'etc/kata-containers/configuration-qemu.toml';
    const missing = await run(variant('kata-qemu-healthy', {}, { [cfg]: toml }), 'containerd-kata-qemu');
    assert.match(check(missing, CHECK.kataGuestImage).detail, /names guest initrd \/opt\/kata\/share\/kata-containers\/initrd\.img: not found/);
    const present = await run(variant('kata-qemu-healthy', {}, { [cfg]: toml, 'opt/kata/share/kata-containers/initrd.img': '' }), 'containerd-kata-qemu');
    assert.deepEqual(failed(present), []);
  });

  test('a config naming both image and initrd, or no kernel, fails the matching check', async () => {
    const toml = '[hypervisor.qemu]\npath = "/opt/kata/bin/qemu-system-x86_64"\nimage = "/opt/kata/share/kata-containers/kata-containers.img"\ninitrd = "/opt/kata/share/kata-containers/kata-containers.img"\n';
    const checks = await run(variant('kata-qemu-healthy', {}, { 'etc/kata-containers/configuration-qemu.toml': toml }), 'containerd-kata-qemu');
    assert.deepEqual(failed(checks), [CHECK.kataKernel, CHECK.kataGuestImage]);
    assert.match(check(checks, CHECK.kataKernel).detail, /names no guest kernel$/);
    assert.match(check(checks, CHECK.kataGuestImage).detail, /names both image .* and initrd/);
  });

  test('generic configuration.toml for the other backend does not serve this one', async () => {
    const toml = '[hypervisor.firecracker]\npath = "/opt/kata/bin/firecracker"\n';
    const view = variant(
      'kata-qemu-healthy',
      { absent: ['/opt/kata/share/defaults/kata-containers/configuration-qemu.toml'] },
      { 'etc/kata-containers/configuration.toml': toml },
    );
    const checks = await run(view, 'containerd-kata-qemu');
    assert.equal(
      check(checks, CHECK.kataConfig).detail,
      'kata config /etc/kata-containers/configuration.toml: has no [hypervisor.qemu] section; it configures [hypervisor.firecracker]',
    );
  });

  test('an explicit Kata config path is the only file that counts', async () => {
    const view = FixtureHostView.named('kata-qemu-healthy');
    const elsewhere = await checkHost(view, 'containerd-kata-qemu', { kataConfigPath: '/srv/kata/qemu.toml' });
    assert.ok(elsewhere.ok);
    assert.equal(check(elsewhere.value, CHECK.kataConfig).detail, 'no Kata config for qemu: looked for /srv/kata/qemu.toml');
  });
});
