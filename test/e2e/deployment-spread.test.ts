import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Workload } from '../../src/api/workload.js';
import { E2eWorld } from '../support/e2e-world.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

/**
 * `idyl deploy`: each replica is a pod of its own, placed on its own with the
 * Deployment's frozen class, and the replicas spread across the eligible nodes.
 */
describe('Deployment replicas: each placed on its own, spread across nodes', () => {
  let world: E2eWorld;
  before(async () => {
    world = await E2eWorld.start();
    await world.subnet('spread', { allowedIsolationClasses: ['container', 'microvm'], defaultIsolationClass: 'microvm' });
    for (let i = 1; i <= 3; i++) await world.node('spread', 'containerd-kata-qemu', { name: `qemu-${i}` });
    await world.node('spread', 'docker', { name: 'docker-1' });
  });
  after(async () => {
    await world.dispose();
  });

  const podsOf = async (owner: string): Promise<Workload[]> =>
    (await world.list('pods')).filter((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === owner));

  it('deploy --replicas 3 --wait: three pods, one per microvm node, each with the frozen class; exit 0', async () => {
    const r = await world.cli.run(['deploy', IMAGE, '--name', 'web', '--subnet', 'spread', '--replicas', '3', '--wait', '--timeout', '20s', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const dep = JSON.parse(r.stdout) as Workload;
    assert.deepEqual(dep.status.replicas, { desired: 3, created: 3, running: 3 });
    assert.deepEqual(dep.status.isolation, { class: 'microvm', source: 'subnet-default' });
    const pods = await podsOf('web');
    assert.equal(pods.length, 3);
    const nodes = pods.map((p) => p.status.placement?.nodeName);
    assert.deepEqual([...nodes].sort(), ['qemu-1', 'qemu-2', 'qemu-3'], 'one replica per node, none on the docker node');
    for (const p of pods) {
      assert.deepEqual(p.status.isolation, { class: 'microvm', source: 'subnet-default' });
      assert.equal(p.status.placement?.runtimeProfile, 'containerd-kata-qemu');
      assert.equal(p.status.phase, 'Running');
    }
    assert.equal(new Set(pods.map((p) => p.metadata.id)).size, 3);
    const table = await world.cli.ok(['get', 'pods']);
    const rows = table.stdout.split('\n').filter((l) => /\bDeployment\/web\b/.test(l));
    assert.equal(rows.length, 3, table.stdout);
  });

  it('scaling to 5 with apply -f adds two replicas, still spread (2/2/1)', async () => {
    const first = new Set((await podsOf('web')).map((p) => p.metadata.id));
    const manifest = ['kind: Deployment', 'metadata: {name: web, subnet: spread}', 'spec:', '  replicas: 5', '  template:', '    spec:', '      restartPolicy: always', '      containers:', `        - {name: main, imageURI: "${IMAGE}"}`].join('\n');
    const applied = await world.cli.json<{ items: Array<{ action: string }> }>(['apply', '-f', '-'], { stdin: manifest });
    assert.equal(applied.items[0]?.action, 'updated');
    const running = await world.waitFor('deployments', 'web', '5 running', (w) => w.status.replicas?.running === 5, 15_000);
    assert.equal(running.status.phase, 'Running');
    const counts = new Map<string, number>();
    for (const p of await podsOf('web')) counts.set(String(p.status.placement?.nodeName), (counts.get(String(p.status.placement?.nodeName)) ?? 0) + 1);
    assert.deepEqual([...counts.values()].sort(), [1, 2, 2]);
    assert.ok(!counts.has('docker-1'));
    const now = await podsOf('web');
    assert.equal(now.filter((p) => first.has(p.metadata.id)).length, 3, 'the first three replicas were kept');
  });
});
