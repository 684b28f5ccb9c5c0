import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { CapabilityReport } from '../../api/node.js';
import { buildCapabilityReport, type CapabilityOptions } from './capability-report.js';
import { FixtureHostView, fixtureHostsDir } from './fixture-host-view.js';

async function report(host: string | FixtureHostView, profile: string, options: CapabilityOptions = { microvmGPU: false }) {
  const view = typeof host === 'string' ? FixtureHostView.named(host) : host;
  const result = await buildCapabilityReport(view, profile, options);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value;
}

const scratch = mkdtempSync(join(tmpdir(), 'idyl-capability-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('capability report', () => {
  test('a healthy docker host: verified, with engine, runtimes, platform, capacity and host attributes', async () => {
    const { report: r, checks } = await report('docker-healthy', 'docker');
    const expected: CapabilityReport = {
      runtimeProfile: 'docker',
      verified: true,
      checks,
      platform: 'linux/amd64',
      kernel: '6.1.0-18-amd64',
      capacity: { cpuMillis: 16000, memoryBytes: 68719476736 },
      engine: { name: 'docker', version: '24.0.7' },
      runtimes: ['io.containerd.runc.v2', 'runc'],
      gpus: [],
      attributes: { os: 'debian', 'os.version': '12', kernel: '6.1.0-18-amd64', arch: 'amd64' },
      microvmGPU: false,
    };
    assert.deepEqual(r, expected);
    assert.equal(checks.length, 3);
  });

  test('a runtime listed in daemon.json but absent from the live daemon is not reported (field case 13)', async () => {
    const view = FixtureHostView.named('docker-runtime-only-in-daemon-json');
    assert.match((await view.readFile('/etc/docker/daemon.json')) ?? '', /kata-fc/, 'the fixture really lists it in daemon.json');
    const { report: r } = await report(view, 'docker');
    assert.deepEqual(r.runtimes, ['io.containerd.runc.v2', 'runc']);
  });

  test('broken nvidia-smi leaves the docker profile verified and drops only those GPUs (field case 14)', async () => {
    const { report: r, checks } = await report('gpu-nvidia-smi-broken', 'docker');
    assert.equal(r.verified, true);
    assert.deepEqual(r.gpus.map((g) => g.id), ['pci-0000:b3:00.0']);
    assert.deepEqual(checks.filter((c) => !c.ok).map((c) => c.name), ['gpu.nvidia-smi']);
    assert.deepEqual(r.checks, checks);
    assert.equal(r.attributes.cuda, undefined);
  });

  test('host-driver GPUs give the cuda and nvidia.driver attributes that require expressions match', async () => {
    const { report: r } = await report('gpu-host-driver', 'docker');
    assert.equal(r.attributes.cuda, '12.4');
    assert.equal(r.attributes['nvidia.driver'], '550.54.15');
    assert.equal(r.gpus.length, 2);
  });

  test('Kata shim without config: the kata-qemu node is unverified, its runtime dropped, runc still offered (field cases 2, 14)', async () => {
    const { report: r } = await report('kata-qemu-shim-without-config', 'containerd-kata-qemu');
    assert.equal(r.verified, false);
    assert.deepEqual(r.runtimes, ['io.containerd.runc.v2']);
    assert.deepEqual(r.engine, { name: 'containerd', version: '1.7.13' });
  });

  test('a containerd host lists every runtime whose whole check set passes', async () => {
    assert.deepEqual((await report('kata-fc-healthy', 'containerd-kata-qemu')).report.runtimes, [
      'io.containerd.runc.v2',
      'io.containerd.kata-qemu.v2',
      'io.containerd.kata-fc.v2',
    ]);
    assert.deepEqual((await report('kata-fc-without-devmapper', 'containerd-runc')).report.runtimes, [
      'io.containerd.runc.v2',
      'io.containerd.kata-qemu.v2',
    ]);
  });

  test('an unreachable engine gives an unverified report with no runtimes and no engine version', async () => {
    const { report: r } = await report('docker-down', 'docker');
    assert.deepEqual([r.verified, r.runtimes, r.engine], [false, [], { name: 'docker', version: '' }]);
  });

  test('microvmGPU is reported for a kata-qemu node and refused for every other profile', async () => {
    assert.equal((await report('gpu-vfio', 'containerd-kata-qemu', { microvmGPU: true })).report.microvmGPU, true);
    for (const profile of ['docker', 'containerd-runc', 'containerd-kata-firecracker']) {
      const refused = await buildCapabilityReport(FixtureHostView.named('gpu-vfio'), profile, { microvmGPU: true });
      assert.ok(!refused.ok, profile);
      assert.equal(refused.error.details?.field, 'microvmGPU');
    }
  });

  test('a node overhead is kept for microvm profiles and refused for container profiles', async () => {
    const overhead = { cpuMillis: 500, memoryBytes: 256 * 2 ** 20 };
    assert.deepEqual((await report('kata-fc-healthy', 'containerd-kata-firecracker', { microvmGPU: false, overhead })).report.overhead, overhead);
    const refused = await buildCapabilityReport(FixtureHostView.named('docker-healthy'), 'docker', { microvmGPU: false, overhead });
    assert.ok(!refused.ok);
    assert.equal(refused.error.details?.field, 'overhead');
  });

  test('an unknown profile and an unsupported architecture are refused, not reported', async () => {
    const unknown = await buildCapabilityReport(FixtureHostView.named('docker-healthy'), 'runc', { microvmGPU: false });
    assert.ok(!unknown.ok);
    assert.equal(unknown.error.code, 'validation_failed');
    writeFileSync(
      join(scratch, 'host.json'),
      JSON.stringify({ base: join(fixtureHostsDir(), 'docker-healthy'), basics: { arch: 's390x', kernel: '6.1.0', cpuCount: 4, memoryBytes: 2 ** 33 } }),
    );
    const odd = await buildCapabilityReport(new FixtureHostView(scratch), 'docker', { microvmGPU: false });
    assert.ok(!odd.ok);
    assert.equal(odd.error.details?.field, 'platform');
  });
});
