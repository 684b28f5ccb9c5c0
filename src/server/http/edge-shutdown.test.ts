import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../logger.js';
import type { Handlers } from './handler.js';
import type { Store } from '../store/store.js';
import { createEdge } from './edge.js';

test('once shutdown has begun, a request on an open keep-alive connection is refused with unavailable and the connection closes', async (t) => {
  const shutdown = new AbortController();
  const edge = createEdge({
    store: {} as Store,
    handlers: {} as Handlers,
    logger: createLogger('silent', 'test'),
    bodyLimitBytes: 1024,
    now: () => new Date(),
    onAuthFailure: () => {},
    shutdown: shutdown.signal,
  });
  const server = createServer(edge);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  shutdown.abort();
  const { port } = server.address() as AddressInfo;
  const answer = await new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/whoami', headers: { connection: 'keep-alive' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(answer.status, 503);
  assert.equal(answer.connection, 'close');
  assert.equal(JSON.parse(answer.body).error.code, 'unavailable');
});
