import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeInfo } from '../../src/api/node.js';
import { dockerReport } from '../access/world.js';
import { rawCall } from '../support/http-call.js';
import { IdylCli } from '../support/idyl-cli.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';

// A node that is not connected must not read Ready: `idyl node get` showed STATE
// disconnected next to `Ready` (reason verified) from its last report. It reads
// NotReady(node_disconnected), the reason placement gives it first, and Ready again
// once it heartbeats; its other conditions stay as the last report left them.

// Long enough for the CLI calls made between a heartbeat and the check that the node is
// connected (each starts a Node process; under load that took over a second).
const HEARTBEAT_TIMEOUT_MS = 5_000;

let server: InProcessServer;
let cli: IdylCli;

before(async () => {
  server = await startInProcessServer({ settings: { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS } });
  cli = new IdylCli();
  await cli.ok(['login', '--realm', server.url, '--token', server.rootToken]);
});

after(async () => {
  cli?.dispose();
  await server?.close();
});

const ready = (n: NodeInfo) => n.conditions.filter((c) => c.type === 'Ready').map((c) => [c.status, c.reason]);

test('a disconnected node is NotReady(node_disconnected) in node get and -o json, Ready while it heartbeats, and keeps its failed host checks', async () => {
  await cli.ok(['subnet', 'create', '--region', 'lab', '--name', 'conn']);
  const report = dockerReport();
  const failing = { ...report, checks: [...report.checks, { name: 'gpu.driver', ok: false, detail: 'no driver' }] };
  const joined = await rawCall(server.url, { method: 'POST', path: '/v1/nodes', token: server.rootToken, body: { subnet: 'conn', name: 'conn-1', report: { ...report } } });
  assert.equal(joined.status, 201, joined.text);
  const { node, credential } = joined.json as { node: { id: string }; credential: string };

  // Joined, never heartbeaten: disconnected, and so not ready, though its report is verified.
  let view = await cli.json<NodeInfo>(['node', 'get', 'conn-1']);
  assert.equal(view.state, 'disconnected');
  assert.deepEqual(ready(view), [['False', 'node_disconnected']]);
  assert.match((await cli.ok(['node', 'get', 'conn-1'])).stdout, /disconnected .* NotReady\(node_disconnected\) /);

  // Heartbeating with a report in which one check fails (still verified: the check is not the profile's).
  const heartbeat = async () => {
    const beat = await rawCall(server.url, { method: 'POST', path: `/v1/nodes/${node.id}/heartbeat`, token: credential, body: { report: failing } });
    assert.equal(beat.status, 200, beat.text);
  };
  await heartbeat();
  view = await cli.json<NodeInfo>(['node', 'get', node.id]);
  assert.equal(view.state, 'connected');
  assert.deepEqual(ready(view), [['True', 'verified']]);
  await heartbeat();
  assert.match((await cli.ok(['node', 'get', node.id])).stdout, /connected .* HostCheckFailed\(gpu\.driver\),Ready /);

  // Silent past the heartbeat timeout: disconnected again, NotReady, the failed check kept.
  await sleep(HEARTBEAT_TIMEOUT_MS + 300);
  view = await cli.json<NodeInfo>(['node', 'get', node.id]);
  assert.equal(view.state, 'disconnected');
  assert.deepEqual(ready(view), [['False', 'node_disconnected']]);
  assert.deepEqual(view.conditions.filter((c) => c.type === 'HostCheckFailed').map((c) => c.reason), ['gpu.driver']);
  assert.match(view.conditions.find((c) => c.type === 'Ready')?.message ?? '', /no heartbeat since/);
  const listed = (await cli.json<{ items: NodeInfo[] }>(['node', 'get'])).items.find((n) => n.id === node.id);
  assert.deepEqual(listed && ready(listed), [['False', 'node_disconnected']]);
  assert.match((await cli.ok(['node', 'get', node.id])).stdout, /disconnected .* HostCheckFailed\(gpu\.driver\),NotReady\(node_disconnected\) /);
});
