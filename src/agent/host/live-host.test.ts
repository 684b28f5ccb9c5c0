import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import type { HostCheck } from '../../api/node.js';
import { buildCapabilityReport } from './capability-report.js';
import { CHECK, PROFILE_CHECKS } from './check-names.js';
import { askContainerdWithCtr } from './ctr-containerd-stand-in.js';
import { discoverGpus } from './gpu-discovery.js';
import { checkHost } from './host-checks.js';
import { LiveHostView } from './live-host-view.js';

// Live tests on this machine's real daemons. A missing daemon skips with its reason,
// except under CI=true, where it fails (the CI host is expected to run them).
const view = new LiveHostView({ askContainerd: askContainerdWithCtr });

async function needs(t: TestContext, what: 'docker' | 'containerd'): Promise<boolean> {
  const answer = what === 'docker' ? await view.docker() : await view.containerd();
  if (answer.ok) return true;
  const reason = `${what} is not reachable here (${answer.socket ?? ''}: ${answer.error})`;
  if (process.env.CI === 'true') assert.fail(`${reason}; CI=true requires it`);
  t.skip(reason);
  return false;
}

async function checksFor(profile: string): Promise<HostCheck[]> {
  const result = await checkHost(view, profile);
  assert.ok(result.ok);
  return result.value;
}

const failed = (checks: readonly HostCheck[]) => checks.filter((c) => !c.ok);
const detailOf = (checks: readonly HostCheck[], name: string) => checks.find((c) => c.name === name)?.detail ?? '';

describe('host checks on this real host', () => {
  test('docker profile: every check passes against the live Docker Engine', async (t) => {
    if (!(await needs(t, 'docker'))) return;
    const checks = await checksFor('docker');
    assert.deepEqual(failed(checks), []);
    assert.deepEqual(checks.map((c) => c.name), PROFILE_CHECKS.docker);
  });

  test('docker report: engine version as the docker CLI sees it, runc offered, CPU and memory from this host', async (t) => {
    if (!(await needs(t, 'docker'))) return;
    const result = await buildCapabilityReport(view, 'docker', { microvmGPU: false });
    assert.ok(result.ok);
    const r = result.value.report;
    assert.equal(r.verified, true);
    assert.ok(r.runtimes.includes('runc'));
    assert.equal(r.capacity.cpuMillis, cpus().length * 1000);
    assert.equal(r.capacity.memoryBytes, totalmem());
    assert.equal(r.platform, `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`);
    let cliVersion: string | undefined;
    try {
      cliVersion = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim();
    } catch {
      t.diagnostic('docker CLI not available: engine version not cross-checked');
    }
    if (cliVersion) assert.equal(r.engine.version, cliVersion);
  });

  test('containerd-runc profile: every check passes against the live containerd', async (t) => {
    if (!(await needs(t, 'containerd'))) return;
    const checks = await checksFor('containerd-runc');
    assert.deepEqual(failed(checks), []);
  });

  test('containerd-kata-qemu fails here, naming the missing Kata shim and config and the virtualisation problem', async (t) => {
    if (!(await needs(t, 'containerd'))) return;
    const checks = await checksFor('containerd-kata-qemu');
    const names = failed(checks).map((c) => c.name);
    for (const name of [CHECK.kataShim, CHECK.kataConfig, CHECK.kataHypervisor, CHECK.kataKernel, CHECK.kataGuestImage]) {
      assert.ok(names.includes(name), `${name} should fail here; failed: ${names.join(', ')}`);
    }
    assert.match(detailOf(checks, CHECK.kataShim), /containerd-shim-kata-qemu-v2: not found on containerd's PATH/);
    const flags = readFileSync('/proc/cpuinfo', 'utf8');
    if (!/\b(vmx|svm)\b/.test(flags)) {
      // This host's case: /dev/kvm may exist, but the CPU offers no VT-x/AMD-V, so QEMU+KVM hangs.
      assert.match(detailOf(checks, CHECK.kvmVirtualisation), /neither vmx nor svm/);
      assert.ok(names.includes(CHECK.kvmVirtualisation));
    }
    for (const c of checks) t.diagnostic(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
    const result = await buildCapabilityReport(view, 'containerd-kata-qemu', { microvmGPU: false });
    assert.ok(result.ok);
    assert.equal(result.value.report.verified, false);
    assert.ok(!result.value.report.runtimes.includes('io.containerd.kata-qemu.v2'));
  });

  test('containerd-kata-firecracker fails here and says the devmapper snapshotter did not load', async (t) => {
    if (!(await needs(t, 'containerd'))) return;
    const checks = await checksFor('containerd-kata-firecracker');
    const devmapper = checks.find((c) => c.name === CHECK.containerdDevmapper);
    assert.equal(devmapper?.ok, false);
    assert.match(devmapper?.detail ?? '', /^block-device snapshotter for Firecracker.*devmapper/);
  });

  test('GPU discovery on a host without GPUs reports none', async (t) => {
    const pci = '/sys/bus/pci/devices';
    const display = existsSync(pci) ? readdirSync(pci).filter((d) => readFileSync(join(pci, d, 'class'), 'utf8').startsWith('0x03')) : [];
    if (display.length > 0) return t.skip(`this host has display-class PCI devices (${display.join(', ')})`);
    assert.deepEqual(await discoverGpus(view), { gpus: [], checks: [], attributes: {} });
  });
});

describe('LiveHostView on this host', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'idyl-live-view-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('a Docker socket that is not there is an error naming the socket, not a throw', async () => {
    const missing = new LiveHostView({ askContainerd: askContainerdWithCtr, dockerSocket: join(scratch, 'docker.sock') });
    assert.deepEqual(await missing.docker(), { ok: false, socket: join(scratch, 'docker.sock'), error: 'not found' });
  });

  test('a containerd socket that is not there is an error naming the socket', async () => {
    const missing = new LiveHostView({ askContainerd: askContainerdWithCtr, containerdSocket: join(scratch, 'containerd.sock') });
    const answer = await missing.containerd();
    assert.equal(answer.ok, false);
    assert.equal(answer.ok ? '' : answer.socket, join(scratch, 'containerd.sock'));
  });

  test('a containerd facts function that throws becomes an error answer, not a crashed probe', async () => {
    const broken = new LiveHostView({
      askContainerd: () => Promise.reject(new Error('14 UNAVAILABLE: connect ECONNREFUSED')),
    });
    assert.deepEqual(await broken.containerd(), { ok: false, socket: '/run/containerd/containerd.sock', error: '14 UNAVAILABLE: connect ECONNREFUSED' });
    const checks = await checkHost(broken, 'containerd-runc');
    assert.ok(checks.ok);
    assert.match(checks.value.find((c) => c.name === CHECK.containerdEngine)?.detail ?? '', /14 UNAVAILABLE/);
  });

  test('run reports exit codes, cuts off a program that hangs, and is undefined for one that does not exist', async () => {
    assert.deepEqual(await view.run('sh', ['-c', 'echo out; echo err >&2; exit 3'], 5000), { code: 3, stdout: 'out\n', stderr: 'err\n' });
    const started = Date.now();
    const hung = await view.run('sleep', ['10'], 200);
    assert.equal(hung?.timedOut, true);
    assert.ok(Date.now() - started < 5000);
    assert.equal(await view.run('idyl-no-such-program', [], 1000), undefined);
  });

  test('canReadWrite opens the path: true for a writable file, false for a missing one', async () => {
    const file = join(scratch, 'rw');
    writeFileSync(file, '');
    assert.equal(await view.canReadWrite(file), true);
    assert.equal(await view.canReadWrite(join(scratch, 'nope')), false);
  });

  test('findExecutable skips a file without execute permission', async () => {
    writeFileSync(join(scratch, 'plain'), '', { mode: 0o644 });
    assert.equal(await view.findExecutable('plain', [scratch]), undefined);
    writeFileSync(join(scratch, 'tool'), '', { mode: 0o755 });
    assert.equal(await view.findExecutable('tool', [scratch]), join(scratch, 'tool'));
  });
});
