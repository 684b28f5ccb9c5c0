import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Unschedulable } from '../../api/placement.js';
import type { WorkloadStatus } from '../../api/workload.js';
import { sendJson, type TestDoubleServer } from '../../client/test-double-server.js';
import { CliHarness } from '../test-harness.js';
import { startDouble, workload } from '../test-fixtures.js';

const placement = { node: 'n1', nodeName: 'node-a', runtimeProfile: 'containerd-runc', isolationClass: 'container', at: '2025-01-01T00:00:00Z' } as const;
const iso = { class: 'container', source: 'explicit' } as const;

/** Statuses a pod goes through, one per read; the last repeats. */
function sequence(double: TestDoubleServer, kind: 'pods' | 'deployments', name: string, statuses: Partial<WorkloadStatus>[]): void {
  let i = 0;
  double.on(`GET /v1/namespaces/default/workloads/${kind}/${name}`, (_req, res) => {
    const s = statuses[Math.min(i++, statuses.length - 1)] ?? {};
    sendJson(res, 200, workload(kind === 'pods' ? 'Pod' : 'Deployment', name, s));
  });
}

const toSuccess: Partial<WorkloadStatus>[] = [
  { phase: 'Pending', isolation: iso },
  { phase: 'Pending', isolation: iso, placement },
  { phase: 'Pending', isolation: iso, placement, container: { state: 'Pulling', restartCount: 0 } },
  { phase: 'Running', isolation: iso, placement, container: { state: 'Running', restartCount: 0 } },
  { phase: 'Succeeded', isolation: iso, placement, container: { state: 'Exited', exitCode: 0, restartCount: 0 } },
];

const noDockerForMicrovm: Unschedulable = {
  summary: '0/2 nodes eligible: 2 isolation_class_unsupported',
  reasons: { isolation_class_unsupported: 2 },
  nodes: [
    { node: 'n1', nodeName: 'docker-a', reason: 'isolation_class_unsupported', detail: 'profile docker serves container' },
    { node: 'n2', nodeName: 'docker-b', reason: 'isolation_class_unsupported', detail: 'profile docker serves container' },
  ],
};

describe('--wait follows the workload', () => {
  let double: TestDoubleServer;
  const cli = new CliHarness();
  const base = () => ['--realm', double.url];
  before(async () => {
    double = await startDouble();
  });
  after(async () => {
    await double.stop();
    cli.cleanup();
  });

  test('run --wait on a terminal shows Accepted → Scheduled → Pulling → Running → Succeeded and exits 0', async () => {
    sequence(double, 'pods', 'ok1', toSuccess);
    const r = await cli.run([...base(), 'run', 'busybox', '--name', 'ok1', '--wait'], { tty: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'Accepted → Scheduled (node-a) → Pulling → Running → Succeeded\n');
    assert.match(r.stdout, /✓ Pod ok1 created\n {2}busybox:1.35 · subnet edge-a · isolation container \(explicit\) · Succeeded/);
  });

  test('without a terminal, and with -o json on one, no progress is shown; stdout is one JSON document', async () => {
    sequence(double, 'pods', 'ok2', toSuccess);
    const piped = await cli.run([...base(), 'run', 'busybox', '--name', 'ok2', '--wait']);
    assert.equal(piped.code, 0);
    assert.equal(piped.stderr, '');
    sequence(double, 'pods', 'ok2', toSuccess);
    const json = await cli.run([...base(), 'run', 'busybox', '--name', 'ok2', '--wait', '-o', 'json'], { tty: true });
    assert.equal(json.code, 0);
    assert.equal(json.stderr, '');
    assert.equal(JSON.parse(json.stdout).status.phase, 'Succeeded');
  });

  test('run --wait exits non-zero when the pod fails, with its exit code', async () => {
    sequence(double, 'pods', 'bad', [
      { phase: 'Pending', isolation: iso },
      { phase: 'Failed', isolation: iso, placement, container: { state: 'Exited', exitCode: 3, restartCount: 0 } },
    ]);
    const r = await cli.run([...base(), 'run', 'busybox', '--name', 'bad', '--wait', '-o', 'json']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const e = JSON.parse(r.stderr).error;
    assert.equal(e.code, 'workload_failed');
    assert.match(e.message, /Pod bad failed: exit code 3/);
    assert.equal(e.details.exitCode, 3);
  });

  test('the exit code is said once when the server message already gives it', async () => {
    sequence(double, 'pods', 'bad2', [
      { phase: 'Failed', isolation: iso, placement, message: 'exited with code 3', container: { state: 'Exited', exitCode: 3, restartCount: 0 } },
    ]);
    const r = await cli.run([...base(), 'run', 'busybox', '--name', 'bad2', '--wait']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: workload_failed: Pod bad2 failed: exited with code 3\n/);
  });

  test("a node-side failure reason becomes the error code (image pull failed)", async () => {
    sequence(double, 'pods', 'pull', [{ phase: 'Failed', isolation: iso, placement, reason: 'image_pull_failed', message: 'manifest unknown' }]);
    const r = await cli.run([...base(), 'run', 'nope:1', '--name', 'pull', '--wait']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: image_pull_failed: Pod pull failed: manifest unknown/);
  });

  test('a microvm workload with only docker nodes is not placed: --wait exits with unschedulable and each node reason (field case 1)', async () => {
    sequence(double, 'pods', 'vm', [{ phase: 'Pending', isolation: { class: 'microvm', source: 'explicit' }, unschedulable: noDockerForMicrovm }]);
    const r = await cli.run([...base(), 'run', 'busybox', '--name', 'vm', '--isolation-class', 'microvm', '--wait', '--timeout', '1s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: unschedulable: vm could not be placed within 1s: 0\/2 nodes eligible: 2 isolation_class_unsupported\n/);
    assert.match(r.stderr, /\n {2}docker-a: isolation_class_unsupported \(profile docker serves container\)\n {2}docker-b: isolation_class_unsupported/);
    sequence(double, 'pods', 'vm', [{ phase: 'Pending', isolation: { class: 'microvm', source: 'explicit' }, unschedulable: noDockerForMicrovm }]);
    const j = await cli.run([...base(), 'run', 'busybox', '--name', 'vm', '--wait', '--timeout', '1s', '-o', 'json']);
    const e = JSON.parse(j.stderr).error;
    assert.equal(e.code, 'unschedulable');
    assert.deepEqual(e.details.reasons, { isolation_class_unsupported: 2 });
    assert.equal(e.details.nodes.length, 2);
  });

  test('deploy --wait waits until every replica runs', async () => {
    sequence(double, 'deployments', 'web', [
      { phase: 'Pending', isolation: iso, replicas: { desired: 3, created: 3, running: 0 } },
      { phase: 'Pending', isolation: iso, replicas: { desired: 3, created: 3, running: 1 } },
      { phase: 'Running', isolation: iso, replicas: { desired: 3, created: 3, running: 3 } },
    ]);
    const r = await cli.run([...base(), 'deploy', 'nginx', '--name', 'web', '--replicas', '3', '--wait'], { tty: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'Accepted → Running (1/3) → Running (3/3)\n');
  });

  test("a Deployment that cannot be placed shows its pending pod's diagnosis", async () => {
    sequence(double, 'deployments', 'stuck', [{ phase: 'Pending', isolation: iso, replicas: { desired: 1, created: 1, running: 0 } }]);
    const pod = workload('Pod', 'stuck-abc12', { phase: 'Pending', unschedulable: { summary: '0/1 nodes eligible: 1 requirement_unmet', reasons: { requirement_unmet: 1 }, nodes: [{ node: 'n1', reason: 'requirement_unmet', detail: 'cuda >=13.0: node has none' }] } });
    double.json('GET /v1/namespaces/default/workloads/pods', { items: [{ ...pod, metadata: { ...pod.metadata, ownerReferences: [{ kind: 'Deployment', name: 'stuck', id: 'w-stuck' }] } }] });
    const r = await cli.run([...base(), 'deploy', 'img', '--name', 'stuck', '--require', 'cuda=>=13.0', '--wait', '--timeout', '500ms']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: unschedulable: stuck could not be placed within 500ms: 0\/1 nodes eligible: 1 requirement_unmet/);
    assert.match(r.stderr, /n1: requirement_unmet \(cuda >=13.0: node has none\)/);
  });

  test('placed but not running in time is wait_timeout, not unschedulable', async () => {
    sequence(double, 'pods', 'slow', [{ phase: 'Pending', isolation: iso, placement, container: { state: 'Pulling', restartCount: 0 } }]);
    const r = await cli.run([...base(), 'run', 'big', '--name', 'slow', '--wait', '--timeout', '300ms']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: wait_timeout: slow is not finished after 300ms \(stage: Pulling\)/);
  });

  test('a malformed --timeout is a usage error and nothing is created', async () => {
    const before = double.requests.length;
    const r = await cli.run([...base(), 'run', 'busybox', '--name', 'x', '--wait', '--timeout', 'soon']);
    assert.equal(r.code, 2);
    assert.equal(double.requests.length, before);
  });

  test('Ctrl-C while waiting exits 130 and says the workload carries on', async () => {
    sequence(double, 'pods', 'long', [{ phase: 'Pending', isolation: iso, placement }]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await cli.run([...base(), 'run', 'busybox', '--name', 'long', '--wait'], { signal: ac.signal });
    assert.equal(r.code, 130);
    assert.match(r.stderr, /^error: interrupted: stopped waiting for long; it carries on/);
  });
});
