import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { containerdCheck } from '../../../../test/support/containerd-test-env.js';
import { requireDaemon } from '../../../../test/support/daemon-gate.js';
import { CONTAINERD_SOCKET } from '../../../../test/support/probes.js';
import { askContainerd } from './facts.js';

test('askContainerd reports the live daemon: version, plugins with init errors, and its PATH', async (t) => {
  const check = containerdCheck();
  if (!(await requireDaemon(t, check.name, check.probe))) return;
  const answer = await askContainerd(CONTAINERD_SOCKET);
  assert.ok(answer.ok, answer.ok ? '' : answer.error);
  const { facts } = answer;
  assert.equal(facts.socket, CONTAINERD_SOCKET);
  assert.match(facts.version, /^v?\d+\.\d+\.\d+/);
  const overlay = facts.plugins.find((p) => p.type === 'io.containerd.snapshotter.v1' && p.id === 'overlayfs');
  assert.ok(overlay, 'the overlayfs snapshotter is listed');
  assert.equal(overlay.error, undefined);
  // devmapper loads only with a configured pool; unconfigured, the daemon says why.
  const config = await readFile('/etc/containerd/config.toml', 'utf8').catch(() => '');
  const devmapper = facts.plugins.find((p) => p.id === 'devmapper');
  if (devmapper && !config.includes('devmapper')) assert.match(devmapper.error ?? '', /not configured/);
  assert.ok(facts.daemonPath && facts.daemonPath.length > 0, 'the daemon PATH was read from /proc');
  assert.ok(facts.daemonPath.some((dir) => dir.endsWith('bin')));
});

test('askContainerd answers ok: false, never throws, when no daemon answers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'idyl-facts-'));
  try {
    const missing = await askContainerd(join(dir, 'absent.sock'));
    assert.deepEqual(missing, { ok: false, error: `containerd socket ${join(dir, 'absent.sock')} does not exist` });
    // A socket file whose listener is gone, as after a daemon crash.
    // A listener that accepts and never speaks gRPC, as a hung daemon would.
    const mute = join(dir, 'mute.sock');
    const held: Socket[] = [];
    const server = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => server.listen(mute, resolve));
    const started = Date.now();
    const silent = await askContainerd(mute);
    for (const socket of held) socket.destroy();
    server.close();
    assert.ok(Date.now() - started < 10_000, 'a hung daemon costs a bounded wait');
    assert.equal(silent.ok, false);
    if (!silent.ok) assert.match(silent.error, /did not answer/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
