import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Workload } from '../../src/api/workload.js';
import { E2eWorld } from '../support/e2e-world.js';
import type { TestNodeClient } from '../support/test-node-client.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';
const MICROVM_ONLY = ['--allowed-isolation-class', 'microvm', '--default-isolation-class', 'microvm'];

/**
 * Field case 21: the subnet's policy is evaluated on every path that creates or
 * places a workload: CLI, API, `apply -f`, a Deployment's replicas created later, a
 * Sandbox, and a pod placed anew after its node was removed or lost. The frozen class
 * travels with the pod and is never lowered on the way.
 */
describe('case 21: policy is evaluated on every path', () => {
  let world: E2eWorld;
  before(async () => {
    world = await E2eWorld.start({ heartbeatTimeout: '2s', nodeLostTimeout: '3s' });
  });
  after(async () => {
    await world.dispose();
  });

  it('at submit: CLI run, deploy, create sandbox, apply -f, API POST and PUT all refuse a class the subnet does not allow', async () => {
    await world.subnet('vm-only', { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' });
    const manifest = (kind: string, name: string) =>
      kind === 'Pod'
        ? { kind, metadata: { name, subnet: 'vm-only' }, spec: { isolation: { class: 'container' }, containers: [{ imageURI: IMAGE }] } }
        : { kind, metadata: { name, subnet: 'vm-only' }, spec: { ...(kind === 'Sandbox' ? { ttl: '1h' } : { replicas: 1 }), template: { spec: { isolation: { class: 'container' }, containers: [{ imageURI: IMAGE }] } } } };
    const cli = await Promise.all([
      world.cli.fails(['run', IMAGE, '--name', 'p-run', '--subnet', 'vm-only', '--isolation-class', 'container']),
      world.cli.fails(['deploy', IMAGE, '--name', 'p-deploy', '--subnet', 'vm-only', '--isolation-class', 'container']),
      world.cli.fails(['create', 'sandbox', '--image', IMAGE, '--ttl', '1h', '--name', 'p-sbx', '--subnet', 'vm-only', '--isolation-class', 'container']),
      world.cli.fails(['apply', '-f', '-'], { stdin: JSON.stringify(manifest('Deployment', 'p-apply')) }),
    ]);
    for (const r of cli) {
      assert.equal(r.code, 1);
      assert.equal(r.error.code, 'isolation_class_not_allowed');
      assert.deepEqual(r.error.details.allowed, ['microvm']);
    }
    const api = await Promise.all([
      world.raw('POST', '/v1/namespaces/default/workloads', { body: manifest('Pod', 'p-post') }),
      world.raw('POST', '/v1/namespaces/default/workloads', { body: manifest('Sandbox', 'p-post-sbx') }),
      world.raw('PUT', '/v1/namespaces/default/workloads/deployments/p-put', { body: manifest('Deployment', 'p-put') }),
    ]);
    for (const a of api) {
      assert.equal(a.status, 422);
      assert.equal((a.json as { error: { code: string } }).error.code, 'isolation_class_not_allowed');
    }
    for (const kind of ['pods', 'deployments', 'sandboxes']) assert.deepEqual(await world.list(kind), [], kind);
  });

  it('a Deployment replica created after the policy changed is not created with the frozen class the policy no longer allows', async () => {
    await world.subnet('dep', { allowedIsolationClasses: ['container', 'microvm'], defaultIsolationClass: 'container' });
    await world.node('dep', 'docker', { name: 'dep-docker' });
    const r = await world.cli.run(['deploy', IMAGE, '--name', 'web', '--subnet', 'dep', '--replicas', '2', '--wait', '--timeout', '15s']);
    assert.equal(r.code, 0, r.stderr);
    await world.cli.ok(['subnet', 'edit', 'dep', ...MICROVM_ONLY]);
    const pods = (await world.list('pods')).filter((p) => p.metadata.ownerReferences?.some((o) => o.name === 'web'));
    assert.equal(pods.length, 2);
    await world.cli.ok(['delete', 'pod', pods[0]!.metadata.name]);
    const dep = await world.waitFor('deployments', 'web', 'blocked from replacing the replica', (w) => w.status.conditions.some((c) => c.type === 'ReplicaFailure' && c.status === 'True'));
    const failure = dep.status.conditions.find((c) => c.type === 'ReplicaFailure');
    assert.equal(failure?.reason, 'isolation_class_not_allowed');
    const now = (await world.list('pods')).filter((p) => p.metadata.ownerReferences?.some((o) => o.name === 'web'));
    assert.deepEqual(now.map((p) => p.metadata.name), [pods[1]!.metadata.name], 'no replacement replica was created');
    assert.equal(now[0]?.status.isolation.class, 'container');
  });

  it('a pod placed anew after its node was removed or lost meets the current policy, and a frozen microvm class is never lowered', async () => {
    const policy = { allowedIsolationClasses: ['container', 'microvm'] as Array<'container' | 'microvm'>, defaultIsolationClass: 'container' as const };
    await world.subnet('removed', policy);
    await world.subnet('lost', policy);
    await world.subnet('lowered');
    const removedNode = await world.node('removed', 'docker', { name: 'removed-1' });
    const lostNode = await world.node('lost', 'docker', { name: 'lost-1' });
    const qemu = await world.node('lowered', 'containerd-kata-qemu', { name: 'qemu-lost' });
    await Promise.all([
      world.cli.ok(['run', IMAGE, '--name', 'on-removed', '--subnet', 'removed']),
      world.cli.ok(['run', IMAGE, '--name', 'on-lost', '--subnet', 'lost']),
      world.cli.ok(['run', IMAGE, '--name', 'vm-on-lost', '--subnet', 'lowered', '--isolation-class', 'microvm']),
    ]);
    for (const name of ['on-removed', 'on-lost', 'vm-on-lost']) await world.waitFor('pods', name, 'running', (w) => w.status.phase === 'Running');
    // Eligible container nodes that would take the pods if the policy or the class were forgotten.
    const tempting: TestNodeClient[] = [
      await world.node('removed', 'docker', { name: 'removed-2' }),
      await world.node('lost', 'docker', { name: 'lost-2' }),
      await world.node('lowered', 'docker', { name: 'lowered-docker' }),
    ];
    await world.cli.ok(['subnet', 'edit', 'removed', ...MICROVM_ONLY]);
    await world.cli.ok(['subnet', 'edit', 'lost', ...MICROVM_ONLY]);

    await world.cli.ok(['node', 'delete', removedNode.id]);
    for (const n of [lostNode, qemu]) {
      n.stopHeartbeats();
      await n.disconnect();
    }

    const removed = await world.waitFor('pods', 'on-removed', 'failed', (w) => w.status.phase === 'Failed');
    assert.equal(removed.status.reason, 'isolation_class_not_allowed');
    const lost = await world.waitFor('pods', 'on-lost', 'failed', (w) => w.status.phase === 'Failed', 15_000);
    assert.equal(lost.status.reason, 'isolation_class_not_allowed');
    const vm = await world.waitFor('pods', 'vm-on-lost', 'placed anew and diagnosed', (w: Workload) => w.status.unschedulable !== undefined && w.status.conditions.some((c) => c.type === 'Rescheduled'), 15_000);
    assert.equal(vm.status.phase, 'Pending');
    assert.deepEqual(vm.status.isolation, { class: 'microvm', source: 'explicit' });
    assert.deepEqual(vm.status.unschedulable?.reasons, { isolation_class_unsupported: 1, node_disconnected: 1 });
    for (const n of tempting) assert.equal(n.assignments().length, 0, `${n.name} was given a pod`);
  });
});
