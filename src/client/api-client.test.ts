import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { IdylError } from '../api/errors.js';
import { STREAM_ERROR_TRAILER } from '../api/wire.js';
import { ApiClient } from './api-client.js';
import { sendJson, TestDoubleServer } from './test-double-server.js';

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function rejection(p: Promise<unknown>): Promise<IdylError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof IdylError, `expected an IdylError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('ApiClient against a recording test double', () => {
  const double = new TestDoubleServer();
  let client: ApiClient;
  before(async () => {
    await double.start();
    client = new ApiClient({ realm: double.url, token: 'tok-123', accountId: '123456789012' });
  });
  after(async () => {
    client.close();
    await double.stop();
  });

  test('sends the bearer token, the account header, path parameters, query and a JSON body', async () => {
    double.json('PUT /v1/namespaces/team%20a/workloads/pods/web', { action: 'created' });
    const out = await client.call<{ action: string }>('workloads.apply', {
      params: { namespace: 'team a', kind: 'pods', name: 'web' },
      query: { dryRun: true, skip: undefined },
      body: { kind: 'Pod', metadata: { name: 'web' } },
    });
    assert.deepEqual(out, { action: 'created' });
    const req = double.last('PUT /v1/namespaces/team%20a/workloads/pods/web');
    assert.ok(req);
    assert.equal(req.headers.authorization, 'Bearer tok-123');
    assert.equal(req.headers['x-idyl-account'], '123456789012');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(req.query, { dryRun: 'true' });
    assert.deepEqual(req.body, { kind: 'Pod', metadata: { name: 'web' } });
  });

  test('a per-call account overrides the client account; no token means no Authorization header', async () => {
    double.json('GET /v1/whoami', { accountId: '999999999999' });
    const anon = new ApiClient({ realm: double.url });
    await anon.call('whoami', { accountId: '999999999999' });
    anon.close();
    const req = double.last('GET /v1/whoami');
    assert.equal(req?.headers.authorization, undefined);
    assert.equal(req?.headers['x-idyl-account'], '999999999999');
  });

  test('an empty 204 answer is undefined', async () => {
    double.on('DELETE /v1/fleets/f1', (_r, res) => {
      res.writeHead(204).end();
    });
    assert.equal(await client.call('fleets.delete', { params: { fleet: 'f1' } }), undefined);
  });

  test("an error body becomes an IdylError with the server's code, message and details", async () => {
    double.json(
      'POST /v1/namespaces/default/workloads',
      {
        error: {
          code: 'isolation_class_not_allowed',
          message: 'subnet 4821 allows only microvm',
          details: { allowed: ['microvm'], hint: 'use --isolation-class microvm' },
        },
      },
      422,
    );
    const err = await rejection(client.call('workloads.create', { params: { namespace: 'default' }, body: {} }));
    assert.equal(err.code, 'isolation_class_not_allowed');
    assert.equal(err.message, 'subnet 4821 allows only microvm');
    assert.deepEqual(err.details, { allowed: ['microvm'], hint: 'use --isolation-class microvm' });
  });

  test('an unknown code falls back to the status and keeps the server code; a non-JSON 502 is unavailable', async () => {
    double.json('GET /v1/accounts', { error: { code: 'brand_new_code', message: 'newer server' } }, 409);
    const err = await rejection(client.call('accounts.list'));
    assert.equal(err.code, 'conflict');
    assert.equal(err.details?.serverCode, 'brand_new_code');
    double.on('GET /v1/fleets', (_r, res) => {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
    });
    const gw = await rejection(client.call('fleets.list'));
    assert.equal(gw.code, 'unavailable');
    assert.match(gw.message, /HTTP 502: <html>bad gateway/);
  });

  test('a 401 without a body is unauthenticated', async () => {
    double.on('GET /v1/tokens', (_r, res) => {
      res.writeHead(401).end();
    });
    assert.equal((await rejection(client.call('tokens.list'))).code, 'unauthenticated');
  });

  test('NDJSON values arrive one by one while the stream is still open, split lines included', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    double.on('GET /v1/events', async (_r, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"revision":1,"type":"a"}\n{"revision"');
      res.write(':2,"type":"b"}\n\n');
      await released;
      res.end('{"revision":3,"type":"ünïcode"}');
    });
    const seen: Array<{ revision: number; type: string }> = [];
    for await (const ev of client.ndjson<{ revision: number; type: string }>('events.list', { query: { follow: 'true' } })) {
      seen.push(ev);
      if (seen.length === 2) release();
    }
    assert.deepEqual(seen, [
      { revision: 1, type: 'a' },
      { revision: 2, type: 'b' },
      { revision: 3, type: 'ünïcode' },
    ]);
    assert.equal(double.last('GET /v1/events')?.headers.accept, 'application/x-ndjson');
  });

  test('aborting a stream ends the iteration quietly', async () => {
    double.on('GET /v1/nodes/n1/assignments', (_r, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"type":"ping","revision":1}\n');
    });
    const ac = new AbortController();
    const seen: unknown[] = [];
    for await (const msg of client.ndjson('nodes.assignments', { params: { node: 'n1' } }, ac.signal)) {
      seen.push(msg);
      ac.abort();
    }
    assert.equal(seen.length, 1);
  });

  test('a stream that breaks off is unavailable, not a crash', async () => {
    double.on('GET /v1/nodes/n2/assignments', (_r, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"type":"ping","revision":1}\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const seen: unknown[] = [];
    const err = await rejection(
      (async () => {
        for await (const msg of client.ndjson('nodes.assignments', { params: { node: 'n2' } })) seen.push(msg);
      })(),
    );
    assert.equal(err.code, 'unavailable');
    assert.equal(seen.length, 1);
  });

  test('text streams yield the raw bytes', async () => {
    double.on('GET /v1/namespaces/default/workloads/pods/web/logs', (_r, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('hello\n');
      res.end('world\n');
    });
    const parts: Buffer[] = [];
    for await (const b of client.text('workloads.logs', { params: { namespace: 'default', kind: 'pods', name: 'web' } })) parts.push(b);
    assert.equal(Buffer.concat(parts).toString(), 'hello\nworld\n');
  });

  test('an error before a stream starts is mapped like any call', async () => {
    double.json('GET /v1/namespaces/default/workloads/pods/nope/logs', { error: { code: 'not_found', message: 'no pod nope' } }, 404);
    const err = await rejection(
      (async () => {
        for await (const _ of client.text('workloads.logs', { params: { namespace: 'default', kind: 'pods', name: 'nope' } })) void _;
      })(),
    );
    assert.equal(err.code, 'not_found');
  });

  test('a text stream whose trailer carries an error (its source broke off) ends with that error after the bytes', async () => {
    double.on('GET /v1/namespaces/default/workloads/pods/cut/logs', (_r, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', trailer: STREAM_ERROR_TRAILER });
      res.write('tick 1\n');
      res.addTrailers({ [STREAM_ERROR_TRAILER]: encodeURIComponent(JSON.stringify({ error: { code: 'unavailable', message: "the node's stream broke off" } })) });
      res.end();
    });
    const parts: Buffer[] = [];
    const err = await rejection(
      (async () => {
        for await (const b of client.text('workloads.logs', { params: { namespace: 'default', kind: 'pods', name: 'cut' } })) parts.push(b);
      })(),
    );
    assert.equal(Buffer.concat(parts).toString(), 'tick 1\n');
    assert.equal(err.code, 'unavailable');
    assert.equal(err.message, "the node's stream broke off");
  });

  test('an upload whose source fails breaks the request off instead of ending it', { timeout: 5_000 }, async () => {
    let received: 'ended' | 'broke' | undefined;
    let arrived = (): void => undefined;
    const reached = new Promise<void>((r) => (arrived = r));
    async function* source(): AsyncGenerator<string> {
      yield 'line 1\n';
      await reached;
      throw new Error('the engine went away');
    }
    const srv = http.createServer((req) => {
      arrived();
      req.resume();
      req.on('end', () => (received = 'ended'));
      req.on('close', () => (received ??= req.readableEnded ? 'ended' : 'broke'));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const c = new ApiClient({ realm: `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}` });
    await assert.rejects(c.upload('nodes.logStream', { params: { node: 'n1', request: 'r2' } }, source()));
    await new Promise((r) => setTimeout(r, 100));
    c.close();
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
    assert.equal(received, 'broke');
  });

  test('upload streams a request body', async () => {
    double.on('POST /v1/nodes/n1/log-streams/r1', (req, res) => sendJson(res, 200, { got: req.rawBody }));
    async function* source() {
      yield 'line 1\n';
      yield Buffer.from('line 2\n');
    }
    const out = await client.upload<{ got: string }>('nodes.logStream', { params: { node: 'n1', request: 'r1' } }, source());
    assert.equal(out.got, 'line 1\nline 2\n');
  });

  test("the client's own signal aborts a call that hangs", async () => {
    double.on('GET /v1/accounts/123456789012', () => undefined);
    const ac = new AbortController();
    const c = new ApiClient({ realm: double.url, signal: ac.signal });
    const started = Date.now();
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(c.call('accounts.get', { params: { account: '123456789012' } }));
    c.close();
    assert.ok(Date.now() - started < 5000);
  });

  test('a server that does not answer in time is unavailable', async () => {
    double.on('GET /v1/approvals', () => undefined);
    const slow = new ApiClient({ realm: double.url, timeoutMs: 100 });
    const err = await rejection(slow.call('approvals.list'));
    slow.close();
    assert.equal(err.code, 'unavailable');
    assert.match(err.message, /did not answer GET \/v1\/approvals within 0.1s/);
  });
});

test('connection refused becomes unavailable naming the address and the cause', async () => {
  const port = await closedPort();
  const client = new ApiClient({ realm: `http://127.0.0.1:${port}` });
  const err = await rejection(client.call('whoami'));
  client.close();
  assert.equal(err.code, 'unavailable');
  assert.equal(err.message, `cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  assert.match(String(err.details?.hint), /control plane/);
});

test('plain http is refused for a realm that is not loopback unless forced', () => {
  for (const realm of ['http://idyl.example.com', 'http://10.1.2.3:7070', 'http://[2001:db8::1]:80']) {
    assert.throws(
      () => new ApiClient({ realm, token: 't' }),
      (err: unknown) => err instanceof IdylError && err.code === 'validation_failed' && err.details?.field === 'realm',
      realm,
    );
    new ApiClient({ realm, allowInsecureHttp: true }).close();
  }
  for (const realm of ['http://127.0.0.1:7070', 'http://localhost:1', 'http://[::1]:7070', 'https://idyl.example.com']) {
    new ApiClient({ realm }).close();
  }
  assert.throws(() => new ApiClient({ realm: 'ftp://x' }), /scheme "ftp"/);
  assert.throws(() => new ApiClient({ realm: 'not a url' }), /not a URL/);
});
