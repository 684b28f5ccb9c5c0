import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeInfo } from '../../src/api/node.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { rawCall } from '../support/http-call.js';
import { CliUser, IDYL_BIN, startServerProcess, type CliRun, type ServerProcess } from '../support/idyl-bin.js';
import { dockerCheck } from '../support/probes.js';

// Token secrets (personal access tokens, the bootstrap token, node credentials) are
// shown once, when they are created. After that they must not appear anywhere a
// person or a log collector reads: server logs (debug level), agent logs, events of
// any account, error messages, `-o json` output, or the store. This test makes and
// uses secrets in every way the CLI offers, keeps everything printed after each
// secret's creation, and greps it all for every secret.

await describeWithDaemons('token secrets never appear after their creation', [dockerCheck()], () => {
  let server: ServerProcess;
  const root = new CliUser('root');
  const tenant = new CliUser('tenant');
  /** Everything shown after the secrets were created, labelled by where it came from. */
  const seen: Array<{ where: string; text: string }> = [];
  const secrets = new Map<string, string>();
  let agent: ChildProcess | undefined;
  let agentLog = '';

  const keep = (where: string, r: { text: string }) => {
    seen.push({ where, text: r.text });
    return r;
  };
  const as = async (user: CliUser, ...args: string[]): Promise<CliRun> => {
    const r = await user.run(...args);
    keep(`${user.label}: idyl ${args.join(' ')}`, { text: `${r.stdout}\n${r.stderr}` });
    return r;
  };

  before(async () => {
    server = await startServerProcess(['--log-level', 'debug', '--heartbeat-timeout', '3s']);
    secrets.set('bootstrap token', server.rootToken);
    await root.ok('login', '--realm', server.url, '--token', server.rootToken);
  });

  after(async () => {
    agent?.kill('SIGTERM');
    await server?.stop();
    root.remove();
    tenant.remove();
  });

  test('personal access tokens: created once, then listed, used, refused, revoked and expired without showing', async () => {
    const account = (await root.ok('account', 'create', '--name', 'tenant')).trim();
    const created = await root.json<{ token: string; id: string }>('iam', 'pat', 'create', '--name', 'laptop', '-a', account);
    secrets.set('laptop PAT', created.token);
    const short = (await root.ok('iam', 'pat', 'create', '--name', 'short', '--expires-in', '1s', '-a', account)).trim();
    secrets.set('expiring PAT', short);
    const old = await root.json<{ token: string; id: string }>('iam', 'pat', 'create', '--name', 'old', '-a', account);
    secrets.set('revoked PAT', old.token);

    assert.equal((await as(tenant, 'login', '--realm', server.url, '--token', created.token, '-o', 'json')).code, 0);
    await as(tenant, 'iam', 'pat', 'revoke', old.id, '-o', 'json');
    for (const args of [['whoami'], ['context', 'show'], ['context', 'list'], ['iam', 'pat', 'list'], ['account', 'get'], ['events'], ['events', '--type', 'audit']]) {
      assert.equal((await as(tenant, ...args, '-o', 'json')).code, 0, args.join(' '));
    }
    await sleep(1100);
    const other = new CliUser('other');
    try {
      for (const [label, token] of [['revoked', old.token], ['expired', short], ['mangled', `${created.token.slice(0, -3)}xyz`]] as const) {
        const r = await as(other, 'login', '--realm', server.url, '--token', token, '-o', 'json');
        assert.notEqual(r.code, 0, `login with the ${label} token`);
        assert.match(r.stderr, /unauthenticated/);
        const raw = keep(`GET /v1/whoami with the ${label} token`, { text: (await rawCall(server.url, { method: 'GET', path: '/v1/whoami', token })).text });
        assert.match(raw.text, /unauthenticated/);
      }
      const header = await rawCall(server.url, { method: 'GET', path: '/v1/whoami', headers: { authorization: `Basic ${created.token}` } });
      keep('a token in a malformed Authorization header', { text: header.text });
      assert.equal(header.status, 401);
    } finally {
      other.remove();
    }
  });

  test('node credentials: join, agent, rotation on the node and by the provider, old credentials refused', async () => {
    await as(tenant, 'subnet', 'create', '--region', 'lab', '--name', 'own', '-o', 'json');
    const dir = join(tenant.homedir, 'node');
    const joined = await as(tenant, 'node', 'join', '--subnet', 'own', '--runtime-profile', 'docker', '--name', 'n1', '--state-dir', dir, '-o', 'json');
    assert.equal(joined.code, 0, joined.stderr);
    const stateFile = join(dir, 'node.json');
    const state = () => JSON.parse(readFileSync(stateFile, 'utf8')) as { nodeId: string; credential: string };
    const nodeId = state().nodeId;
    const first = state().credential;
    secrets.set('node credential at join', first);
    assert.ok(!joined.stdout.includes(first), 'node join does not print the credential');

    agent = spawn(process.execPath, [IDYL_BIN, '--homedir', tenant.homedir, 'node', 'start', '--state-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout?.setEncoding('utf8').on('data', (c: string) => (agentLog += c));
    agent.stderr?.setEncoding('utf8').on('data', (c: string) => (agentLog += c));
    await until('the agent connected its assignment stream', async () => agentLog.includes('assignment stream connected'));

    const heartbeatAfter = async (since: number) =>
      until(`a heartbeat after ${new Date(since).toISOString()}`, async () => {
        const n = await tenant.json<NodeInfo>('node', 'get', nodeId);
        return n.lastHeartbeatAt !== undefined && Date.parse(n.lastHeartbeatAt) > since + 1000;
      });

    // On the node: rotate with its own credential; the running agent picks up the new one.
    const rotatedOnNode = await as(tenant, 'node', 'rotate-credential', '--state-dir', dir, '-o', 'json');
    assert.equal(rotatedOnNode.code, 0, rotatedOnNode.stderr);
    const second = state().credential;
    assert.notEqual(second, first);
    secrets.set('node credential rotated on the node', second);
    await until('the agent noticed the rotation', async () => agentLog.includes('stored node credential changed'));
    await heartbeatAfter(Date.now());

    // As the provider: the new credential is printed once; the agent is locked out
    // until it is put into node.json, then carries on.
    const printed = await tenant.json<{ credential: string }>('node', 'rotate-credential', nodeId);
    secrets.set('node credential rotated by the provider', printed.credential);
    writeFileSync(stateFile, JSON.stringify({ ...state(), credential: printed.credential }));
    await heartbeatAfter(Date.now());

    for (const [label, token] of [['first', first], ['second', second]] as const) {
      const r = keep(`heartbeat with the ${label} (replaced) credential`, { text: (await rawCall(server.url, { method: 'POST', path: `/v1/nodes/${nodeId}/heartbeat`, token, body: {} })).text });
      assert.match(r.text, /unauthenticated/, `the ${label} credential stopped working`);
    }
    const beyond = keep('the node credential on a user route', { text: (await rawCall(server.url, { method: 'GET', path: '/v1/subnets', token: printed.credential })).text });
    assert.match(beyond.text, /forbidden/);
    for (const args of [['node', 'get'], ['node', 'get', nodeId], ['node', 'workloads', nodeId], ['events'], ['events', '--type', 'audit']]) {
      assert.equal((await as(tenant, ...args, '-o', 'json')).code, 0, args.join(' '));
    }
    agent.kill('SIGTERM');
    await new Promise((r) => agent?.once('exit', r));
    agent = undefined;
  });

  test('no secret appears in logs, events, error messages, -o json output or the store', async () => {
    const accounts = (await root.json<{ items: { id: string }[] }>('account', 'get')).items.map((a) => a.id);
    for (const id of accounts) {
      for (const type of [[], ['--type', 'audit']]) keep(`events of ${id} ${type.join(' ')}`, { text: await root.ok('events', '-a', id, '--limit', '1000', '-o', 'json', ...type) });
    }
    const serverOut = server.output();
    const created = serverOut.indexOf(server.rootToken);
    keep('server output after the bootstrap token line', { text: serverOut.slice(serverOut.indexOf('\n', created)) });
    keep('agent log', { text: agentLog });
    for (const f of ['idyl.db', 'idyl.db-wal']) {
      const file = join(server.dataDir, f);
      if (existsSync(file)) keep(`store file ${f}`, { text: readFileSync(file).toString('latin1') });
    }
    assert.ok(seen.length > 30, 'the test looked at what it meant to');
    assert.ok(serverOut.includes('"level":"debug"'), 'the server logged at debug level');
    const leaks: string[] = [];
    for (const [name, secret] of secrets) {
      // The random part alone, so that a secret printed without its prefix is found too.
      const core = secret.replace(/^idyl_(pat|node)_/, '');
      for (const s of seen) if (s.text.includes(core)) leaks.push(`${name} in ${s.where}`);
    }
    assert.deepEqual(leaks, []);
  });

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nagent log:\n${agentLog.slice(-3000)}`);
      await sleep(200);
    }
  }
});
