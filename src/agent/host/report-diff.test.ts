import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { CapabilityReport } from '../../api/node.js';
import { buildCapabilityReport } from './capability-report.js';
import { FixtureHostView, fixtureHostsDir } from './fixture-host-view.js';
import { HOST_CHECK_FAILED, hostCheckConditions } from './host-conditions.js';
import { diffReports } from './report-diff.js';

async function reportOf(view: FixtureHostView, profile: string): Promise<CapabilityReport> {
  const result = await buildCapabilityReport(view, profile, { microvmGPU: false });
  assert.ok(result.ok);
  return result.value.report;
}

const scratch = mkdtempSync(join(tmpdir(), 'idyl-report-diff-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('report diff', () => {
  test('two probes of an unchanged host: nothing to send', async () => {
    const a = await reportOf(FixtureHostView.named('kata-qemu-healthy'), 'containerd-kata-qemu');
    const b = await reportOf(FixtureHostView.named('kata-qemu-healthy'), 'containerd-kata-qemu');
    const diff = diffReports(a, b);
    assert.equal(diff.changed, false);
    assert.deepEqual(diff.summary, []);
  });

  test('the first report is always sent', async () => {
    const diff = diffReports(undefined, await reportOf(FixtureHostView.named('docker-healthy'), 'docker'));
    assert.equal(diff.changed, true);
  });

  test('a Kata shim that disappears while the node runs: the flip, the lost runtime and a condition naming the check (field cases 3, 29)', async () => {
    const before = await reportOf(FixtureHostView.named('kata-qemu-healthy'), 'containerd-kata-qemu');
    writeFileSync(
      join(scratch, 'host.json'),
      JSON.stringify({ base: join(fixtureHostsDir(), 'kata-qemu-healthy'), absent: ['/opt/kata/bin/containerd-shim-kata-qemu-v2'] }),
    );
    const now = await reportOf(new FixtureHostView(scratch), 'containerd-kata-qemu');
    const diff = diffReports(before, now);
    assert.equal(diff.changed, true);
    assert.deepEqual(diff.verified, { from: true, to: false });
    assert.deepEqual(diff.checks.map((c) => [c.name, c.from, c.to]), [['kata.shim', 'passed', 'failed']]);
    assert.deepEqual(diff.runtimesRemoved, ['io.containerd.kata-qemu.v2']);
    assert.deepEqual(diff.runtimesAdded, []);
    const conditions = hostCheckConditions(now, '2025-01-01T00:00:00Z');
    assert.equal(conditions.length, 1);
    assert.deepEqual(conditions[0], {
      type: HOST_CHECK_FAILED,
      status: 'True',
      reason: 'kata.shim',
      message: now.checks.find((c) => c.name === 'kata.shim')?.detail,
      since: '2025-01-01T00:00:00Z',
    });
    assert.match(conditions[0]?.message ?? '', /containerd-shim-kata-qemu-v2: not found/);
  });

  test('GPUs that vanish when nvidia-smi breaks are removed, the vfio one added, and the nvidia-smi check appears failed', async () => {
    const before = await reportOf(FixtureHostView.named('gpu-host-driver'), 'docker');
    const now = await reportOf(FixtureHostView.named('gpu-nvidia-smi-broken'), 'docker');
    const diff = diffReports(before, now);
    assert.deepEqual(diff.gpusRemoved.map((g) => g.id), ['GPU-5e7d4c1a-0b3e-4c2a-9f61-1d2c3b4a5e6f', 'GPU-a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d']);
    assert.deepEqual(diff.gpusAdded.map((g) => g.id), ['pci-0000:b3:00.0']);
    assert.deepEqual(diff.checks.map((c) => [c.name, c.from, c.to]), [['gpu.nvidia-smi', 'passed', 'failed']]);
    assert.equal(diff.verified, undefined, 'GPU trouble does not flip verified');
    assert.ok(diff.fields.includes('attributes.cuda'));
  });

  test('a failing check whose reason changed is news; a passing check whose version moved shows as a field', async () => {
    const base = await reportOf(FixtureHostView.named('kata-qemu-shim-without-config'), 'containerd-kata-qemu');
    const otherReason = {
      ...base,
      checks: base.checks.map((c) => (c.name === 'kata.config' ? { ...c, detail: 'kata config /etc/kata-containers/configuration-qemu.toml: present but unreadable' } : c)),
    };
    assert.deepEqual(diffReports(base, otherReason).checks.map((c) => [c.name, c.from, c.to]), [['kata.config', 'failed', 'failed']]);
    const upgraded = {
      ...base,
      engine: { name: 'containerd' as const, version: '1.7.14' },
      checks: base.checks.map((c) => (c.name === 'containerd.engine' ? { ...c, detail: c.detail.replace('1.7.13', '1.7.14') } : c)),
    };
    const diff = diffReports(base, upgraded);
    assert.deepEqual(diff.checks, []);
    assert.deepEqual(diff.fields, ['engine']);
    assert.equal(diff.changed, true);
  });

  test('a GPU rebound from the host driver to vfio-pci shows as changed, not as the same GPU in two modes', async () => {
    const before = await reportOf(FixtureHostView.named('gpu-vfio'), 'containerd-kata-qemu');
    const first = before.gpus[0];
    assert.ok(first);
    const now = { ...before, gpus: [{ ...first, mode: 'host-driver' as const }, ...before.gpus.slice(1)] };
    const diff = diffReports(before, now);
    assert.deepEqual(diff.gpusChanged.map((c) => [c.after.id, c.before.mode, c.after.mode]), [[first.id, 'vfio', 'host-driver']]);
    assert.deepEqual([diff.gpusAdded, diff.gpusRemoved], [[], []]);
  });
});
