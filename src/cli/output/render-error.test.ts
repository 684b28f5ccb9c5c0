import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { IdylError } from '../../api/errors.js';
import type { TestDoubleServer } from '../../client/test-double-server.js';
import { CliError } from '../cli-error.js';
import { CliHarness } from '../test-harness.js';
import { startDouble } from '../test-fixtures.js';
import { renderError, toReported } from './render-error.js';

test('table: code and sentence, then the field, allowed values and what to try', () => {
  const e = toReported(
    new IdylError('isolation_class_not_allowed', 'subnet 4821 allows only microvm', { field: 'spec.isolation.class', allowed: ['microvm'] }),
  );
  assert.equal(
    renderError(e, 'table'),
    'error: isolation_class_not_allowed: subnet 4821 allows only microvm\n  field: spec.isolation.class\n  allowed: microvm\n  try: use --isolation-class microvm, or ask the subnet\'s operator to allow the class\n',
  );
  assert.equal(e.exitCode, 1);
});

test("the server's hint wins over the CLI's default hint", () => {
  const e = toReported(new IdylError('unauthenticated', 'token expired', { hint: 'create a new token' }));
  assert.match(renderError(e, 'table'), /try: create a new token\n$/);
});

test('json: exactly {"error": {code, message, details}} on one line, details always present', () => {
  const text = renderError(toReported(new IdylError('not_found', 'no pod web')), 'json');
  assert.equal(text.split('\n').length, 2);
  assert.deepEqual(Object.keys(JSON.parse(text)), ['error']);
  assert.deepEqual(Object.keys(JSON.parse(text).error), ['code', 'message', 'details']);
});

test('per-node placement reasons are listed under an unschedulable error', () => {
  const e = toReported(
    new IdylError('unschedulable', '0/2 nodes eligible: 2 isolation_class_unsupported', {
      nodes: [
        { node: 'n1', nodeName: 'docker-a', reason: 'isolation_class_unsupported' },
        { node: 'n2', reason: 'isolation_class_unsupported', detail: 'serves container' },
      ],
    }),
  );
  const text = renderError(e, 'table');
  assert.match(text, /\n {2}docker-a: isolation_class_unsupported\n {2}n2: isolation_class_unsupported \(serves container\)\n/);
});

test('usage errors exit 2, interruptions 130, unexpected faults are internal without a stack trace', () => {
  assert.equal(toReported(new CliError('usage_error', 'bad')).exitCode, 2);
  assert.equal(toReported(new CliError('interrupted', 'stop')).exitCode, 130);
  const fault = toReported(new TypeError('x is undefined'));
  assert.equal(fault.code, 'internal');
  assert.equal(fault.exitCode, 1);
  assert.doesNotMatch(renderError(fault, 'table'), /at .*\.js:\d+/);
});

describe('exit codes and stderr of whole commands', () => {
  let double: TestDoubleServer;
  const cli = new CliHarness();
  before(async () => {
    double = await startDouble();
    double.json(
      'POST /v1/namespaces/default/workloads',
      { error: { code: 'isolation_class_not_allowed', message: 'subnet 4821 allows only microvm', details: { allowed: ['microvm'] } } },
      422,
    );
  });
  after(async () => {
    await double.stop();
    cli.cleanup();
  });

  test('a refused operation exits 1 with the code on stderr and nothing on stdout', async () => {
    const r = await cli.run(['--realm', double.url, 'run', 'busybox', '--name', 'x', '--isolation-class', 'container']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: isolation_class_not_allowed: subnet 4821 allows only microvm\n/);
    assert.match(r.stderr, /try: use --isolation-class microvm/);
  });

  test('with -o json stderr is exactly one error document', async () => {
    const r = await cli.run(['--realm', double.url, 'run', 'busybox', '--name', 'x', '-o', 'json']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const doc = JSON.parse(r.stderr);
    assert.equal(doc.error.code, 'isolation_class_not_allowed');
    assert.equal(doc.error.message, 'subnet 4821 allows only microvm');
    assert.deepEqual(doc.error.details.allowed, ['microvm']);
  });

  test('an unknown flag exits 2; with -o json given anywhere before it, stderr is JSON', async () => {
    const table = await cli.run(['get', 'pods', '--bogus']);
    assert.equal(table.code, 2);
    assert.match(table.stderr, /^error: usage_error: unknown option '--bogus'\n {2}try: idyl get --help\n$/);
    const json = await cli.run(['-o', 'json', 'get', 'pods', '--bogus']);
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.stderr).error.code, 'usage_error');
  });

  test('a command group without a sub-command: its help and exit 2; with -o json one JSON line naming the sub-commands', async () => {
    const table = await cli.run(['subnet', 'admission']);
    assert.equal(table.code, 2);
    assert.match(table.stderr, /^Usage: idyl subnet admission/);
    for (const argv of [['-o', 'json', 'subnet', 'admission'], ['subnet', 'admission', '-o', 'json']]) {
      const json = await cli.run(argv);
      assert.equal(json.code, 2);
      assert.equal(json.stdout, '');
      assert.equal(json.stderr.split('\n').filter(Boolean).length, 1, json.stderr);
      assert.deepEqual(JSON.parse(json.stderr), {
        error: { code: 'usage_error', message: 'idyl subnet admission needs a sub-command: get, grant, revoke, set', details: { hint: 'idyl subnet admission --help' } },
      });
    }
    assert.equal((await cli.run(['help'])).code, 0);
  });

  test("a usage error found by the command itself names that command's help, not a placeholder", async () => {
    const grant = await cli.run(['subnet', 'admission', 'grant', '--subnet', '4821', '--developer-account', '210987654321', '--provider-fleet', 'f']);
    assert.equal(grant.code, 2);
    assert.match(grant.stderr, /\n {2}try: idyl subnet admission grant --help\n$/);
    const events = await cli.run(['--realm', double.url, 'events', '--since', 'abc']);
    assert.equal(events.code, 2);
    assert.match(events.stderr, /\n {2}try: idyl events --help\n$/);
    assert.doesNotMatch(grant.stderr + events.stderr, /COMMAND/);
  });

  test('a missing argument and an unknown command exit 2', async () => {
    assert.equal((await cli.run(['describe', 'pods'])).code, 2);
    assert.equal((await cli.run(['frobnicate'])).code, 2);
    assert.equal((await cli.run(['get', 'gadgets'])).code, 2);
    assert.equal((await cli.run(['-o', 'xml', 'get', 'pods'])).code, 2);
  });

  test('a control plane that is not running is unavailable, exit 1, with the address', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as net.AddressInfo;
    await new Promise<void>((r) => srv.close(() => r()));
    const r = await cli.run(['--realm', `http://127.0.0.1:${port}`, 'get', 'pods']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^error: unavailable: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n {2}try: `));
  });

  test('Ctrl-C while a call hangs exits 130 at once', async () => {
    double.on('GET /v1/namespaces/default/workloads/pods', () => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    const r = await cli.run(['--realm', double.url, 'get', 'pods'], { signal: ac.signal });
    assert.equal(r.code, 130);
    assert.match(r.stderr, /^error: interrupted: /);
    assert.ok(Date.now() - started < 5000, 'not after the 30 s call timeout');
  });

  test('--help exits 0 and prints to stdout', async () => {
    const r = await cli.run(['subnet', 'edit', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--clear-runtime-policy/);
    assert.match(r.stdout, /--allowed-isolation-class/);
  });
});
