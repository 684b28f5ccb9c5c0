import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2eWorld } from '../support/e2e-world.js';
import type { NodeInfo } from '../../src/api/node.js';
import { errorCode, errorField, type RawAnswer } from '../support/raw-api.js';
import { fakeReport } from '../support/test-node-client.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

/**
 * The bad input a user or a script sends (malformed JSON, unknown fields, wrong types,
 * huge bodies, bad quantities), through `bin/idyl` and the API: each gets a 4xx with
 * a catalogue code and the field path, never a 5xx, and nothing is stored.
 */
describe('bad input through bin/idyl and the API: a 4xx with a field path, no 5xx, nothing stored', () => {
  let world: E2eWorld;
  before(async () => {
    world = await E2eWorld.start({ bodyLimit: '64Ki' });
    await world.subnet('bi');
  });
  after(async () => {
    await world.dispose();
  });

  /** Workloads, subnets and the event log's revision: what a refusal must leave as it was. */
  async function stored(): Promise<Record<string, number>> {
    const kinds = await Promise.all(['pods', 'deployments', 'sandboxes'].map((k) => world.list(k)));
    const subnets = await world.api.call<{ items: unknown[] }>('subnets.list');
    const tokens = await world.api.call<{ items: unknown[] }>('tokens.list');
    return { workloads: kinds.reduce((a, k) => a + k.length, 0), subnets: subnets.items.length, tokens: tokens.items.length, revision: await world.revision() };
  }

  /** Sends `req` raw and checks the refusal: `status`, `code`, `field`, nothing stored. */
  async function refusedRaw(method: string, path: string, raw: string, want: { status: number; code: string; field: string | undefined }): Promise<RawAnswer> {
    const before = await stored();
    const a = await world.raw(method, path, { raw });
    assert.equal(a.status, want.status, a.text.slice(0, 300));
    assert.equal(errorCode(a), want.code, a.text.slice(0, 300));
    assert.equal(errorField(a), want.field, a.text.slice(0, 300));
    assert.deepEqual(await stored(), before, 'the refusal stored nothing');
    return a;
  }

  const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
    JSON.stringify({ kind: 'Pod', metadata: { name: 'bi-pod', subnet: 'bi', ...metadata }, spec: { containers: [{ name: 'main', imageURI: IMAGE }], ...spec } });

  it('malformed JSON on every kind of body is validation_failed for the whole body', async () => {
    await refusedRaw('POST', '/v1/namespaces/default/workloads', '{"kind": "Pod", "metadata": {', { status: 400, code: 'validation_failed', field: '' });
    await refusedRaw('POST', '/v1/subnets', "{region: 'x'}", { status: 400, code: 'validation_failed', field: '' });
    await refusedRaw('POST', '/v1/tokens', '', { status: 400, code: 'validation_failed', field: '' });
    await refusedRaw('PATCH', '/v1/subnets/bi', '[1, 2', { status: 400, code: 'validation_failed', field: '' });
  });

  it('an unknown field is refused with its path, at any depth', async () => {
    await refusedRaw('POST', '/v1/namespaces/default/workloads', pod({ colour: 'blue' }), { status: 400, code: 'validation_failed', field: 'spec.colour' });
    const deep = JSON.stringify({ kind: 'Pod', metadata: { name: 'bi-pod', subnet: 'bi' }, spec: { containers: [{ name: 'main', imageURI: IMAGE, resources: { requests: { cpu: '1', gpus: '1' } } }] } });
    await refusedRaw('POST', '/v1/namespaces/default/workloads', deep, { status: 400, code: 'validation_failed', field: 'spec.containers[0].resources.requests.gpus' });
    await refusedRaw('POST', '/v1/subnets', JSON.stringify({ region: 'x', name: 'bi-2', runtimePolicy: { allowedIsolationClasses: ['container'], colour: 1 } }), { status: 400, code: 'validation_failed', field: 'runtimePolicy.colour' });
  });

  it('a value of the wrong type is refused with its path', async () => {
    await refusedRaw('POST', '/v1/namespaces/default/workloads', pod({ restartPolicy: 7 }), { status: 400, code: 'validation_failed', field: 'spec.restartPolicy' });
    const dep = JSON.stringify({ kind: 'Deployment', metadata: { name: 'bi-dep', subnet: 'bi' }, spec: { replicas: '3', template: { spec: { containers: [{ imageURI: IMAGE }] } } } });
    await refusedRaw('POST', '/v1/namespaces/default/workloads', dep, { status: 400, code: 'validation_failed', field: 'spec.replicas' });
    await refusedRaw('POST', '/v1/namespaces/default/workloads', pod({}, { labels: ['a'] }), { status: 400, code: 'validation_failed', field: 'metadata.labels' });
    await refusedRaw('POST', '/v1/tokens', JSON.stringify({ name: 'x', expiresIn: 3600 }), { status: 400, code: 'validation_failed', field: 'expiresIn' });
  });

  it('a body over the limit is payload_too_large, whether its length is declared or not', async () => {
    const huge = pod({}, { annotations: { big: 'x'.repeat(200 * 1024) } });
    const a = await refusedRaw('POST', '/v1/namespaces/default/workloads', huge, { status: 413, code: 'payload_too_large', field: undefined });
    assert.equal((a.json as { error: { details: { limit: number } } }).error.details.limit, 64 * 1024);
  });

  it('a namespace in the path that is not a name is refused before anything is stored', async () => {
    await refusedRaw('POST', `/v1/namespaces/${encodeURIComponent('Not_A Name')}/workloads`, pod({}), { status: 400, code: 'validation_failed', field: 'namespace' });
    await refusedRaw('PUT', `/v1/namespaces/${'n'.repeat(300)}/workloads/pods/bi-pod`, pod({}), { status: 400, code: 'validation_failed', field: 'namespace' });
    // Reading and deleting too: a list in a namespace that cannot exist is not an empty list.
    for (const [method, path] of [
      ['GET', '/v1/namespaces/Bad_NS/workloads/pods'],
      ['GET', '/v1/namespaces/Bad_NS/workloads/pods/bi-pod'],
      ['DELETE', '/v1/namespaces/Bad_NS/workloads/pods/bi-pod'],
    ] as const) {
      const a = await world.raw(method, path);
      assert.equal(a.status, 400, `${method} ${path}: ${a.text.slice(0, 300)}`);
      assert.equal(errorCode(a), 'validation_failed', `${method} ${path}`);
      assert.equal(errorField(a), 'namespace', `${method} ${path}`);
    }
    // bin/idyl refuses such a namespace before it builds a path (`..` would leave the namespace out of it).
    for (const ns of ['Bad_NS', '..']) {
      const r = await world.cli.run(['-n', ns, 'get', 'pods']);
      assert.equal(r.code, 2, `-n ${ns}: ${r.stderr}`);
      assert.match(r.stderr, /^error: usage_error: .*DNS label/, `-n ${ns}`);
    }
  });

  it('a token lifetime under 1s is validation_failed on expiresIn: it would be expired before its first use', async () => {
    for (const d of ['1ms', '500ms', '999ms']) {
      await refusedRaw('POST', '/v1/tokens', JSON.stringify({ name: 'bi-short', expiresIn: d }), { status: 400, code: 'validation_failed', field: 'expiresIn' });
    }
    const before = await stored();
    const { code, error } = await world.cli.fails(['iam', 'pat', 'create', '--name', 'bi-short', '--expires-in', '1ms']);
    assert.equal(code, 1);
    assert.equal(error.code, 'validation_failed');
    assert.equal(error.details.field, 'expiresIn');
    assert.deepEqual(await stored(), before);
    await world.cli.ok(['iam', 'pat', 'create', '--name', 'bi-short', '--expires-in', '1s']);
  });

  it('bin/idyl: --cpu abc and --memory 1Zi are validation_failed naming the resource field, exit 1, nothing stored', async () => {
    const before = await stored();
    for (const [flag, value, field] of [
      ['--cpu', 'abc', 'spec.containers[0].resources.requests.cpu'],
      ['--memory', '1Zi', 'spec.containers[0].resources.requests.memory'],
      ['--cpu', '-1', 'spec.containers[0].resources.requests.cpu'],
      ['--memory', '1.5Mi', 'spec.containers[0].resources.requests.memory'],
    ] as const) {
      const { code, error } = await world.cli.fails(['run', IMAGE, '--name', 'bi-q', '--subnet', 'bi', flag, value]);
      assert.equal(code, 1, `${flag} ${value}`);
      assert.equal(error.code, 'validation_failed', `${flag} ${value}: ${error.message}`);
      assert.equal(error.details.field, field, `${flag} ${value}`);
    }
    const { error } = await world.cli.fails(['deploy', IMAGE, '--name', 'bi-d', '--subnet', 'bi', '--replicas', '2', '--memory', '1Zi']);
    assert.equal(error.details.field, 'spec.template.spec.containers[0].resources.requests.memory');
    const table = await world.cli.run(['run', IMAGE, '--name', 'bi-q', '--subnet', 'bi', '--cpu', 'abc']);
    assert.equal(table.code, 1);
    assert.match(table.stderr, /^error: validation_failed: spec\.containers\[0\]\.resources\.requests\.cpu: "abc" is not a CPU quantity/m);
    assert.deepEqual(await stored(), before);
  });

  it('bin/idyl: a CPU or memory of 0, or below what the engines enforce, is refused at submit, never run without a limit', async () => {
    const before = await stored();
    for (const [flag, value, field] of [
      ['--cpu', '0', 'spec.containers[0].resources.requests.cpu'],
      ['--memory', '0', 'spec.containers[0].resources.requests.memory'],
      ['--cpu', '1m', 'spec.containers[0].resources.requests.cpu'],
      ['--memory', '4Mi', 'spec.containers[0].resources.requests.memory'],
    ] as const) {
      const { code, error } = await world.cli.fails(['run', IMAGE, '--name', 'bi-min', '--subnet', 'bi', flag, value]);
      assert.equal(code, 1, `${flag} ${value}`);
      assert.equal(error.code, 'validation_failed', `${flag} ${value}: ${error.message}`);
      assert.equal(error.details.field, field, `${flag} ${value}`);
      assert.match(error.message, /at least (10m|6Mi)/);
    }
    // A limit alone of 0 is refused at the limit's path.
    const zeroLimit = { kind: 'Pod', metadata: { name: 'bi-min', subnet: 'bi' }, spec: { containers: [{ imageURI: IMAGE, resources: { limits: { memory: '0' } } }] } };
    const r = await world.raw('POST', '/v1/namespaces/default/workloads', { body: zeroLimit });
    assert.equal(r.status, 400);
    assert.equal(errorField(r), 'spec.containers[0].resources.limits.memory');
    assert.deepEqual(await stored(), before);
    // The smallest accepted values are accepted.
    await world.cli.ok(['run', IMAGE, '--name', 'bi-min', '--subnet', 'bi', '--cpu', '10m', '--memory', '6Mi']);
    await world.cli.ok(['delete', 'pod', 'bi-min']);
  });

  it('bin/idyl apply -f: unknown fields, wrong types and a huge manifest get the code and the field, exit 1, nothing stored', async () => {
    const before = await stored();
    const file = (name: string, text: string) => {
      const p = join(world.cli.homedir, name);
      writeFileSync(p, text);
      return p;
    };
    const cases: Array<[string, string, string, string | undefined]> = [
      ['unknown.yaml', ['kind: Pod', 'metadata: {name: bi-a, subnet: bi}', 'spec:', '  containers:', `    - imageURI: ${IMAGE}`, '      colour: blue'].join('\n'), 'validation_failed', 'spec.containers[0].colour'],
      ['type.yaml', ['kind: Deployment', 'metadata: {name: bi-b, subnet: bi}', 'spec:', '  replicas: many', '  template:', '    spec:', '      containers:', `        - imageURI: ${IMAGE}`].join('\n'), 'validation_failed', 'spec.replicas'],
      ['env.json', JSON.stringify({ kind: 'Pod', metadata: { name: 'bi-c', subnet: 'bi' }, spec: { containers: [{ imageURI: IMAGE, env: [{ name: 'A', value: 1 }] }] } }), 'validation_failed', 'spec.containers[0].env[0].value'],
      ['huge.json', pod({}, { name: 'bi-e', annotations: { big: 'y'.repeat(100 * 1024) } }), 'payload_too_large', undefined],
    ];
    for (const [name, text, code, field] of cases) {
      const r = await world.cli.fails(['apply', '-f', file(name, text)]);
      assert.equal(r.code, 1, name);
      assert.equal(r.error.code, code, `${name}: ${r.error.message}`);
      assert.equal(r.error.details.field, field, name);
    }
    assert.deepEqual(await stored(), before);
  });

  it('a heartbeat with a report that does not validate is refused and does not count: the node stays disconnected', async () => {
    const node = await world.node('bi', 'docker', { name: 'bi-node', heartbeat: false, connect: false });
    const before = await stored();
    const report = { ...fakeReport('docker'), runtimeProfile: ' ' };
    const a = await world.raw('POST', `/v1/nodes/${node.id}/heartbeat`, { body: { report }, token: node.credential });
    assert.equal(a.status, 400, a.text);
    assert.equal(errorField(a), 'report.runtimeProfile');
    assert.deepEqual(await stored(), before, 'the refused heartbeat wrote nothing (no node.connected event)');
    const info = await world.api.call<NodeInfo>('nodes.get', { params: { node: node.id } });
    assert.equal(info.state, 'disconnected');
  });

  it('the server logged no internal error for any of them', () => {
    assert.deepEqual(world.server.errors(), []);
  });
});
