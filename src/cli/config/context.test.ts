import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDoubleServer } from '../../client/test-double-server.js';
import { CliHarness } from '../test-harness.js';
import { ACCOUNT, startDouble } from '../test-fixtures.js';
import { resolveSettings } from './settings.js';

describe('contexts: login, storage, selection and flag overrides', () => {
  let double: TestDoubleServer;
  let other: TestDoubleServer;
  const cli = new CliHarness();
  const config = () => JSON.parse(readFileSync(join(cli.homedir, 'config.json'), 'utf8'));

  before(async () => {
    double = await startDouble();
    other = await startDouble();
    double.json('GET /v1/namespaces/team/workloads/pods', { items: [] });
    other.json('GET /v1/namespaces/default/workloads/pods', { items: [] });
  });
  after(async () => {
    await double.stop();
    await other.stop();
    cli.cleanup();
  });

  test('a login whose token is refused saves nothing', async () => {
    double.json('GET /v1/whoami', { error: { code: 'unauthenticated', message: 'unknown token' } }, 401);
    const r = await cli.run(['login', '--realm', double.url, '--token', 'wrong']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: unauthenticated: unknown token/);
    assert.throws(() => statSync(join(cli.homedir, 'config.json')));
    double.json('GET /v1/whoami', { accountId: ACCOUNT, accountName: 'acme', identity: { id: 'u1', name: 'admin', kind: 'user' }, tokenId: 't1', root: true });
  });

  test('login checks the token, saves a 0600 config in a 0700 directory and makes the context current', async () => {
    const r = await cli.run(['login', '--realm', double.url, '--token', 'tok-1', '--context', 'lab', '--subnet', 'edge-a']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(double.last('GET /v1/whoami')?.headers.authorization, 'Bearer tok-1');
    assert.equal(statSync(cli.homedir).mode & 0o777, 0o700);
    assert.equal(statSync(join(cli.homedir, 'config.json')).mode & 0o777, 0o600);
    assert.deepEqual(config(), {
      currentContext: 'lab',
      contexts: { lab: { realm: double.url, token: 'tok-1', accountId: ACCOUNT, namespace: 'default', subnet: 'edge-a' } },
    });
    assert.match(r.stdout, /✓ Logged in to .* as admin \(account 123456789012 "acme"\)\n {2}context lab is now current/);
    assert.doesNotMatch(r.stdout, /tok-1/);
  });

  test('later commands use the context: realm, token, account header, namespace', async () => {
    const r = await cli.run(['get', 'pods', '-o', 'json']);
    assert.equal(r.code, 1, 'namespace default has no route on the double');
    const req = double.last('GET /v1/namespaces/default/workloads/pods');
    assert.equal(req?.headers.authorization, 'Bearer tok-1');
    assert.equal(req?.headers['x-idyl-account'], ACCOUNT);
  });

  test('flags override the context for one command only', async () => {
    const r = await cli.run(['get', 'pods', '-n', 'team', '-a', '999999999999', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { items: [] });
    assert.equal(double.last('GET /v1/namespaces/team/workloads/pods')?.headers['x-idyl-account'], '999999999999');
    const s = await resolveSettings({ namespace: 'team', subnet: 's9' }, cli.home);
    assert.equal(s.namespace, 'team');
    assert.equal(s.subnet, 's9');
    assert.deepEqual(s.fromFlags, { namespace: true, subnet: true, accountId: false });
    assert.equal(config().contexts.lab.namespace, 'default', 'the saved context is unchanged');
  });

  test("--realm pointing at another server never receives the context's token", async () => {
    const r = await cli.run(['--realm', other.url, 'get', 'pods']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(other.last('GET /v1/namespaces/default/workloads/pods')?.headers.authorization, undefined);
  });

  test('whoami shows account, identity, namespace, subnet, realm and context', async () => {
    const r = await cli.run(['whoami']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /account: +123456789012 "acme" \(root account\)/);
    assert.match(r.stdout, /identity: +admin \(user u1\)/);
    assert.match(r.stdout, /namespace: +default/);
    assert.match(r.stdout, /subnet: +edge-a/);
    assert.match(r.stdout, new RegExp(`realm: +${double.url}`));
    const j = JSON.parse((await cli.run(['whoami', '-o', 'json'])).stdout);
    assert.equal(j.context, 'lab');
    assert.equal(j.subnet, 'edge-a');
  });

  test('a token can be read from stdin; a second login adds a context and switches to it', async () => {
    const r = await cli.run(['login', '--realm', other.url, '--token', '-'], { stdin: 'tok-2\n' });
    assert.equal(r.code, 0, r.stderr);
    const name = new URL(other.url).host.replace(':', '-');
    assert.equal(config().currentContext, name);
    assert.equal(config().contexts[name].token, 'tok-2');
    assert.equal(other.last('GET /v1/whoami')?.headers.authorization, 'Bearer tok-2');
  });

  test('context list marks the current one and never prints tokens', async () => {
    const r = await cli.run(['context', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^CURRENT +NAME/);
    assert.match(r.stdout, /\n\* +127\.0\.0\.1-\d+ /);
    assert.doesNotMatch(r.stdout, /tok-/);
    const j = JSON.parse((await cli.run(['context', 'list', '-o', 'json'])).stdout);
    assert.deepEqual(j.items.map((c: { name: string }) => c.name).sort(), ['127.0.0.1-' + new URL(other.url).port, 'lab'].sort());
    assert.ok(j.items.every((c: { token: string }) => c.token.startsWith('…') && c.token.length === 5));
  });

  test('context use, show and edit', async () => {
    assert.equal((await cli.run(['context', 'use', 'lab'])).code, 0);
    assert.equal(config().currentContext, 'lab');
    const e = await cli.run(['context', 'edit', '--set-namespace', 'team', '--set-subnet', '4821']);
    assert.equal(e.code, 0, e.stderr);
    assert.equal(config().contexts.lab.namespace, 'team');
    assert.equal(config().contexts.lab.subnet, '4821');
    const show = JSON.parse((await cli.run(['context', 'show', '-o', 'json'])).stdout);
    assert.deepEqual({ name: show.name, namespace: show.namespace, subnet: show.subnet, token: show.token }, { name: 'lab', namespace: 'team', subnet: '4821', token: '…ok-1' });
    const g = await cli.run(['get', 'pods', '-o', 'json']);
    assert.equal(g.code, 0, 'namespace team now comes from the context');
    assert.equal((await cli.run(['context', 'use', 'nope'])).code, 1);
    assert.equal((await cli.run(['context', 'edit'])).code, 2);
  });

  test('-c picks another saved context; an unknown one is not_found', async () => {
    const name = new URL(other.url).host.replace(':', '-');
    const r = await cli.run(['-c', name, 'get', 'pods']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(other.last('GET /v1/namespaces/default/workloads/pods')?.headers.authorization, 'Bearer tok-2');
    const missing = await cli.run(['-c', 'nope', 'get', 'pods', '-o', 'json']);
    assert.equal(missing.code, 1);
    assert.equal(JSON.parse(missing.stderr).error.code, 'not_found');
  });

  test('context delete forgets the context and its token', async () => {
    const name = new URL(other.url).host.replace(':', '-');
    assert.equal((await cli.run(['context', 'delete', name])).code, 0);
    assert.equal(config().contexts[name], undefined);
    assert.equal(config().currentContext, 'lab');
  });

  test('a config.json that is not JSON is reported, not crashed on', async () => {
    const h = new CliHarness();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(h.homedir, { recursive: true });
    writeFileSync(join(h.homedir, 'config.json'), '{oops');
    const r = await h.run(['get', 'pods']);
    h.cleanup();
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: validation_failed: .*config\.json is not valid JSON/);
  });

  test('--homedir puts the config elsewhere', async () => {
    const h = new CliHarness();
    const dir = join(h.home, 'elsewhere');
    const r = await h.run(['--homedir', dir, 'login', '--realm', double.url, '--token', 't']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(join(dir, 'config.json')).mode & 0o777, 0o600);
    h.cleanup();
  });
});
