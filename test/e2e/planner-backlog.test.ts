import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Workload } from '../../src/api/workload.js';
import { ApiClient } from '../../src/client/api-client.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { fakeReport, TestNodeClient } from '../support/test-node-client.js';
import { waitUntil } from '../support/wait-until.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';
/** Pending pods per planning round in this test (5,000 in a real server). */
const PAGE = 10;

/**
 * A backlog of pods that fit nowhere, larger than what one planning round takes:
 * every pod of it gets its diagnosis, a pod created after it is still looked at, and
 * all are placed once a node joins. The planner once re-read the same first page
 * forever, so the rest of the backlog and every later pod were never looked at.
 * The node is a test node client with a FAKE report.
 */
describe('a backlog of unplaceable pods larger than a planning round', () => {
  let server: InProcessServer;
  let api: ApiClient;
  const nodes: TestNodeClient[] = [];
  before(async () => {
    server = await startInProcessServer({ settings: { planPageSize: PAGE } });
    api = new ApiClient({ realm: server.url, token: server.rootToken, timeoutMs: 10_000 });
    await api.call('subnets.create', { body: { region: 'lab-1', name: 'crowd' } });
  });
  after(async () => {
    for (const n of nodes) await n.close();
    api.close();
    await server.close();
  });

  const create = (name: string) =>
    api.call<Workload>('workloads.create', { params: { namespace: 'default' }, body: { kind: 'Pod', metadata: { name, subnet: 'crowd' }, spec: { containers: [{ imageURI: IMAGE }] } } });
  const pods = async () => (await api.call<{ items: Workload[] }>('workloads.list', { params: { namespace: 'default', kind: 'pods' } })).items;

  it('every pod of the backlog, and one created after it, gets its diagnosis; a node joining places them all', async () => {
    const names = Array.from({ length: PAGE * 2 + 5 }, (_, i) => `backlog-${String(i).padStart(2, '0')}`);
    for (const name of names) await create(name);
    await waitUntil('every backlog pod diagnosed', async () => (await pods()).every((p) => p.status.unschedulable !== undefined), 15_000);

    await create('after-backlog');
    const late = await waitUntil('the pod created after the backlog diagnosed', async () => (await pods()).find((p) => p.metadata.name === 'after-backlog' && p.status.unschedulable), 10_000);
    assert.match(late.status.unschedulable?.summary ?? '', /^0\/0 nodes/);

    const node = await TestNodeClient.join(server.url, server.rootToken, { subnet: 'crowd', name: 'roomy', report: fakeReport('docker'), autoRun: 'running' });
    nodes.push(node);
    node.startHeartbeats(300);
    node.connect();
    await waitUntil('every pod placed on the node', async () => (await pods()).every((p) => p.status.placement?.nodeName === 'roomy'), 20_000);
    // The node's stream delivers each assignment shortly after its commit made the placement visible.
    await waitUntil('the node received every assignment', async () => new Set(node.assignments().map((a) => a.name)).size === names.length + 1, 10_000);
    assert.deepEqual(new Set(node.assignments().map((a) => a.attempt)), new Set([1]), 'each pod assigned once');
  });
});
