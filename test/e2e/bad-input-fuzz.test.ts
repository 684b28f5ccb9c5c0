import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ERROR_CATALOGUE, isErrorCode } from '../../src/api/errors.js';
import type { EventRecord } from '../../src/api/event.js';
import { E2eWorld } from '../support/e2e-world.js';
import { mutateToText, mutationsArb, type Json } from '../support/json-mutations.js';
import { fakeReport, type TestNodeClient } from '../support/test-node-client.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

/** How many mutated requests one run sends (bounded: the suite must stay quick). */
const RUNS = Number(process.env.IDYL_FUZZ_RUNS ?? 250);

/** Namespaces in the request path: a few names, and what is not one. */
const PATH_NAMESPACES = ['default', 'fz-ns', 'Upper', 'with space', 'a_b', '-lead', 'x'.repeat(64), '🚀', '..', '%00'];

interface Target {
  readonly what: string;
  readonly method: string;
  readonly path: (n: number) => string;
  readonly body: (n: number) => Json;
  /** Sent with the node's credential instead of the user's token. */
  readonly asNode?: boolean;
  /** True when request `n` must be refused whatever its body (its path is bad). */
  readonly badPath?: (n: number) => boolean;
}

/**
 * Mutates valid requests (types swapped, fields removed or added, huge strings, deep
 * nesting, unicode), and request paths with namespaces that are not names, and
 * sends them to a real server. Whatever comes back: never a
 * 5xx; every 4xx carries a catalogue code with the catalogue's status; and a refusal
 * stores nothing (no workload, subnet, node, token or admission entry appears, no
 * subnet changes, and the event log gains at most the audit record of the refusal).
 */
describe('randomised bad input: mutated manifests and requests never get a 5xx, and a refusal stores nothing', () => {
  let world: E2eWorld;
  let node: TestNodeClient;
  const targets: Target[] = [];
  before(async () => {
    // Long heartbeat timeout: no controller writes events while the property runs.
    world = await E2eWorld.start({ heartbeatTimeout: '10m' });
    await world.subnet('fz', { allowedIsolationClasses: ['container', 'microvm'], defaultIsolationClass: 'container' });
    await world.subnet('fz-nodes');
    node = await world.node('fz-nodes', 'docker', { name: 'fz-node', heartbeat: false, connect: false });
    const podSpec = (n: number): Json => ({
      isolation: { class: n % 2 ? 'microvm' : 'container' },
      containers: [{ name: 'main', imageURI: IMAGE, args: ['sleep', '1'], env: [{ name: 'A', value: 'b' }], resources: { requests: { cpu: '250m', memory: '64Mi' } } }],
      restartPolicy: 'always',
      require: { kernel: '>=5.10' },
      network: { class: 'none' },
    });
    targets.push(
      { what: 'create a Pod', method: 'POST', path: () => '/v1/namespaces/default/workloads', body: (n) => ({ kind: 'Pod', metadata: { name: `fz-pod-${n}`, subnet: 'fz', labels: { app: 'fz' } }, spec: podSpec(n) }) },
      {
        what: 'apply a Deployment',
        method: 'PUT',
        path: (n) => `/v1/namespaces/default/workloads/deployments/fz-dep-${n}`,
        body: (n) => ({ kind: 'Deployment', metadata: { name: `fz-dep-${n}`, subnet: 'fz' }, spec: { replicas: 1, template: { metadata: { labels: { app: 'fz' } }, spec: podSpec(n) } } }),
      },
      {
        what: 'create a Pod in a path namespace',
        method: 'POST',
        path: (n) => `/v1/namespaces/${encodeURIComponent(PATH_NAMESPACES[n % PATH_NAMESPACES.length] as string)}/workloads`,
        body: (n) => ({ kind: 'Pod', metadata: { name: `fz-nspod-${n}`, subnet: 'fz' }, spec: podSpec(n) }),
        badPath: (n) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(PATH_NAMESPACES[n % PATH_NAMESPACES.length] as string),
      },
      { what: 'create a Sandbox', method: 'POST', path: () => '/v1/namespaces/default/workloads', body: (n) => ({ kind: 'Sandbox', metadata: { name: `fz-sbx-${n}`, subnet: 'fz' }, spec: { ttl: '1h', template: { spec: podSpec(n) } } }) },
      { what: 'create a subnet', method: 'POST', path: () => '/v1/subnets', body: (n) => ({ region: 'fz-1', name: `fz-sub-${n}`, runtimePolicy: { allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['qemu'], microvmGPU: true, defaultIsolationClass: 'microvm' } }) },
      { what: 'edit a policy', method: 'PATCH', path: () => '/v1/subnets/fz-nodes', body: () => ({ runtimePolicy: { allowedIsolationClasses: ['container'], requireExplicitIsolationClass: null } }) },
      { what: 'join a node', method: 'POST', path: () => '/v1/nodes', body: (n) => ({ subnet: 'fz-nodes', name: `fz-join-${n}`, report: fakeReport('containerd-kata-qemu') as unknown as Json }) },
      { what: 'heartbeat with a report', method: 'POST', path: () => `/v1/nodes/${node.id}/heartbeat`, body: () => ({ report: fakeReport('docker') as unknown as Json }), asNode: true },
      { what: 'report a pod status', method: 'POST', path: () => `/v1/nodes/${node.id}/pods/pod-nosuch/status`, body: () => ({ attempt: 1, state: 'Running', exitCode: 0, restartCount: 0 }), asNode: true },
      { what: 'create a token', method: 'POST', path: () => '/v1/tokens', body: (n) => ({ name: `fz-tok-${n}`, expiresIn: '1h' }) },
      { what: 'set admission', method: 'PUT', path: () => '/v1/subnets/fz-nodes/admission/developer', body: () => ({ mode: 'approval' }) },
      { what: 'grant admission', method: 'POST', path: () => '/v1/subnets/fz-nodes/admission/grants', body: () => ({ developerAccount: '123456789012' }) },
    );
  });
  after(async () => {
    await world.dispose();
  });

  /** What a refusal must leave untouched: resources of every kind the targets create, and admission entries. */
  async function stored(): Promise<{ revision: number; workloads: number; subnets: string; nodes: number; tokens: number; admission: string }> {
    const [revision, pods, deps, sbxs, subnets, nodes, tokens, admission] = await Promise.all([
      world.revision(),
      world.list('pods'),
      world.list('deployments'),
      world.list('sandboxes'),
      world.api.call<{ items: unknown[] }>('subnets.list'),
      world.api.call<{ items: unknown[] }>('nodes.list'),
      world.api.call<{ items: unknown[] }>('tokens.list'),
      world.api.call<unknown>('admission.get', { params: { subnet: 'fz-nodes' } }),
    ]);
    return {
      revision,
      workloads: pods.length + deps.length + sbxs.length,
      subnets: JSON.stringify(subnets.items),
      nodes: nodes.items.length,
      tokens: tokens.items.length,
      admission: JSON.stringify(admission),
    };
  }

  /** Waits until background work a successful request set off (planning) has written its events. */
  async function settle(): Promise<void> {
    let last = await world.revision();
    for (;;) {
      await new Promise((r) => setTimeout(r, 120));
      const now = await world.revision();
      if (now === last) return;
      last = now;
    }
  }

  it(`${RUNS} mutated requests`, async () => {
    let n = 0;
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1_000 }), mutationsArb(), async (pick, mutations) => {
        n += 1;
        const target = targets[pick % targets.length] as Target;
        const text = mutateToText(target.body(n), mutations);
        const before = await stored();
        const answer = await world.raw(target.method, target.path(n), { raw: text, ...(target.asNode ? { token: node.credential } : {}) });
        seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
        const label = `${target.what} (${text.length} bytes): ${answer.status} ${answer.text.slice(0, 300)}`;
        assert.ok(answer.status < 500, `5xx for ${label}`);
        if (target.badPath?.(n)) assert.ok(answer.status >= 400, `accepted a bad path: ${target.path(n)}: ${label}`);
        if (answer.status < 400) {
          await settle();
          return;
        }
        const err = (answer.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
        assert.ok(err && isErrorCode(err.code), `no catalogue code: ${label}`);
        assert.equal(answer.status, ERROR_CATALOGUE[err.code].status, `status does not match the catalogue: ${label}`);
        assert.equal(typeof err.message, 'string');
        const after = await stored();
        assert.deepEqual({ ...after, revision: 0 }, { ...before, revision: 0 }, `a refusal stored something: ${label}`);
        if (after.revision !== before.revision) {
          const events = await world.api.call<{ items: EventRecord[] }>('events.list', { query: { since: before.revision } });
          for (const e of events.items) assert.ok(e.type === 'audit' && e.data?.allowed === false, `a refusal wrote ${e.type}: ${label}`);
        }
      }),
      { numRuns: RUNS },
    );
    assert.deepEqual(world.server.errors(), [], 'the server logged no internal error');
    // The mix must exercise both refusals and acceptances, or the property proves little.
    const refused = [...seen].filter(([s]) => s >= 400).reduce((a, [, c]) => a + c, 0);
    assert.ok(refused > RUNS / 2, `refusals: ${JSON.stringify([...seen])}`);
  });
});
