import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SubnetEditResult } from '../../src/api/wire.js';
import type { Workload } from '../../src/api/workload.js';
import { E2eWorld } from '../support/e2e-world.js';
import type { TestNodeClient } from '../support/test-node-client.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

const condition = (w: Workload, type: string) => w.status.conditions.find((c) => c.type === type && c.status === 'True');

/**
 * isolation.md section 8 through `idyl subnet edit`: the new policy applies to new
 * workloads at once; Pending workloads it no longer allows fail with
 * isolation_class_not_allowed; Running ones keep running with PolicyNonCompliant;
 * the command prints how many are affected, per state.
 */
describe('a subnet policy change and the workloads already there', () => {
  let world: E2eWorld;
  let node: TestNodeClient;
  before(async () => {
    world = await E2eWorld.start();
    await world.subnet('shared', { allowedIsolationClasses: ['container', 'microvm'], defaultIsolationClass: 'container' });
    node = await world.node('shared', 'docker', { name: 'docker-1' });
    // running: a container pod placed and running on the docker node.
    await world.cli.ok(['run', IMAGE, '--name', 'running-c', '--subnet', 'shared']);
    await world.waitFor('pods', 'running-c', 'running', (w) => w.status.phase === 'Running');
    // pending container pod: asks for more CPU than any node has.
    await world.cli.ok(['run', IMAGE, '--name', 'pending-c', '--subnet', 'shared', '--cpu', '64']);
    // pending microvm pod: there is no microvm node.
    await world.cli.ok(['run', IMAGE, '--name', 'pending-vm', '--subnet', 'shared', '--isolation-class', 'microvm']);
    for (const name of ['pending-c', 'pending-vm']) await world.waitFor('pods', name, 'diagnosed', (w) => w.status.unschedulable !== undefined);
  });
  after(async () => {
    await world.dispose();
  });

  it('`subnet edit` prints the affected counts per state; pending fails, running keeps running as PolicyNonCompliant', async () => {
    const r = await world.cli.ok(['subnet', 'edit', 'shared', '--allowed-isolation-class', 'microvm', '--default-isolation-class', 'microvm']);
    assert.match(r.stdout, /1 pending failed \(isolation_class_not_allowed\) · 1 running non-compliant \(PolicyNonCompliant\) · 1 unaffected/);

    const failed = await world.workload('pods', 'pending-c');
    assert.equal(failed.status.phase, 'Failed');
    assert.equal(failed.status.reason, 'isolation_class_not_allowed');
    assert.match(String(failed.status.message), /microvm/);
    assert.equal(failed.status.unschedulable, undefined, 'a failed pod carries no stale placement diagnosis');

    const running = await world.workload('pods', 'running-c');
    assert.equal(running.status.phase, 'Running');
    assert.equal(condition(running, 'PolicyNonCompliant')?.reason, 'isolation_class_not_allowed');
    assert.ok(!node.messages.some((m) => m.type === 'unassign'), 'the running pod was not stopped');

    const untouched = await world.workload('pods', 'pending-vm');
    assert.equal(untouched.status.phase, 'Pending');
    assert.equal(condition(untouched, 'PolicyNonCompliant'), undefined);

    const table = await world.cli.ok(['get', 'pods']);
    assert.match(table.stdout, /^pending-c\s+Failed\s+container\b.*isolation_class_not_allowed/m);
  });

  it('the new policy applies to new workloads at once: a container pod is refused, a pod without class inherits microvm', async () => {
    const refused = await world.cli.fails(['run', IMAGE, '--name', 'late-c', '--subnet', 'shared', '--isolation-class', 'container']);
    assert.equal(refused.code, 1);
    assert.equal(refused.error.code, 'isolation_class_not_allowed');
    const inherited = await world.cli.json<Workload>(['run', IMAGE, '--name', 'late-none', '--subnet', 'shared']);
    assert.deepEqual(inherited.status.isolation, { class: 'microvm', source: 'subnet-default' });
  });

  it('-o json gives {subnet, affected}; allowing container again makes nothing newly non-compliant', async () => {
    const r = await world.cli.json<SubnetEditResult>(['subnet', 'edit', 'shared', '--allowed-isolation-class', 'container,microvm']);
    assert.deepEqual(r.subnet.runtimePolicy?.allowedIsolationClasses, ['container', 'microvm']);
    assert.equal(r.affected.pendingFailed, 0);
    assert.equal(r.affected.runningNonCompliant, 0);
    const running = await world.workload('pods', 'running-c');
    assert.equal(running.status.phase, 'Running');
    assert.equal(condition(running, 'PolicyNonCompliant'), undefined, 'the condition clears once the policy allows the class again');
  });
});
