import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import type { Workload } from '../../src/api/workload.js';
import { E2eWorld } from '../support/e2e-world.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

/**
 * What `idyl get -o yaml|json` prints applies back unchanged (docs/cli.md, apply): the
 * read-only `status` and server-set metadata are ignored by apply, while POST creates
 * and unknown fields that are not read-only stay refused.
 */
describe('apply -f takes back what get -o yaml|json printed', () => {
  let world: E2eWorld;
  before(async () => {
    world = await E2eWorld.start();
    await world.subnet('lab');
    await world.node('lab', 'docker', { name: 'node-a' });
    await world.cli.ok(['run', IMAGE, '--name', 'r1', '--subnet', 'lab', '--', 'echo', 'hi']);
    await world.cli.ok(['deploy', IMAGE, '--name', 'web', '--replicas', '2', '--subnet', 'lab']);
    await world.waitFor('pods', 'r1', 'placed', (w) => w.status.placement !== undefined);
  });
  after(async () => {
    await world.dispose();
  });

  for (const format of ['yaml', 'json'] as const) {
    it(`a Pod printed with -o ${format} (status, id, accountId, resourceVersion…) applies back unchanged`, async () => {
      const printed = await world.cli.ok(['get', 'pod', 'r1', '-o', format]);
      assert.match(printed.stdout, /resourceVersion/);
      assert.match(printed.stdout, /status/);
      const r = await world.cli.json<{ items: Array<{ action: string }> }>(['apply', '-f', '-'], { stdin: printed.stdout });
      assert.deepEqual(r.items.map((i) => i.action), ['unchanged']);
    });
  }

  it('a list printed by get deployments -o yaml applies back, item by item', async () => {
    const printed = await world.cli.ok(['get', 'deployments', '-o', 'yaml']);
    const r = await world.cli.json<{ items: Array<{ action: string; workload: Workload }> }>(['apply', '-f', '-'], { stdin: printed.stdout });
    assert.deepEqual(r.items.map((i) => [i.workload.metadata.name, i.action]), [['web', 'unchanged']]);
  });

  it('a stale resourceVersion is ignored: an edited Deployment printed earlier is updated', async () => {
    const printed = await world.workload('deployments', 'web');
    const edited = { ...printed, metadata: { ...printed.metadata, resourceVersion: 1 }, spec: { ...(printed.spec as object), replicas: 3 } };
    const r = await world.cli.json<{ items: Array<{ action: string }> }>(['apply', '-f', '-'], { stdin: stringify(edited) });
    assert.deepEqual(r.items.map((i) => i.action), ['updated']);
    assert.equal((await world.workload('deployments', 'web')).status.replicas?.desired, 3);
  });

  it('an unknown field that is not read-only is still refused, in metadata and at the top', async () => {
    const printed = await world.workload('pods', 'r1');
    const inMeta = await world.cli.fails(['apply', '-f', '-'], { stdin: stringify({ ...printed, metadata: { ...printed.metadata, colour: 'red' } }) });
    assert.equal(inMeta.code, 1);
    assert.equal(inMeta.error.code, 'validation_failed');
    assert.equal(inMeta.error.details.field, 'metadata.colour');
    const top = await world.cli.fails(['apply', '-f', '-'], { stdin: stringify({ ...printed, statuses: {} }) });
    assert.equal(top.error.details.field, 'statuses');
  });

  it('a POST create keeps refusing read-only fields as unknown', async () => {
    const printed = await world.workload('pods', 'r1');
    const body = { ...printed, metadata: { ...printed.metadata, name: 'r2' } };
    const withStatus = await world.raw('POST', '/v1/namespaces/default/workloads', { body });
    assert.equal(withStatus.status, 400);
    assert.match(withStatus.text, /status: unknown field/);
    const { status: _status, ...noStatus } = body;
    const withId = await world.raw('POST', '/v1/namespaces/default/workloads', { body: noStatus });
    assert.equal(withId.status, 400);
    assert.match(withId.text, /metadata\.id: unknown field/);
  });
});
