import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { IdylError } from '../api/errors.js';
import { ApiClient } from './api-client.js';
import { TestDoubleServer } from './test-double-server.js';

/** A CA and a server certificate for 127.0.0.1 signed by it, made with openssl. */
function makeCerts(dir: string): { caCert: string; key: string; cert: string } | string {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=idyl test CA']);
    run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
    const ext = join(dir, 'ext.cnf');
    execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > ${ext}`]);
    run(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '1', '-extfile', ext]);
  } catch (err) {
    return `openssl could not make test certificates: ${(err as Error).message}`;
  }
  return { caCert: readFileSync(join(dir, 'ca.crt'), 'utf8'), key: readFileSync(join(dir, 'srv.key'), 'utf8'), cert: readFileSync(join(dir, 'srv.crt'), 'utf8') };
}

const dir = mkdtempSync(join(tmpdir(), 'idyl-tls-'));
const certs = makeCerts(dir);
const skip = typeof certs === 'string' ? (process.env.CI === 'true' ? false : certs) : false;
if (typeof skip === 'string') console.log(`# skipping TLS tests: ${skip}`);

describe('TLS verification', { skip }, () => {
  let double: TestDoubleServer;
  let fingerprint: string;
  before(async () => {
    if (typeof certs === 'string') throw new Error(certs);
    double = await new TestDoubleServer({ key: certs.key, cert: certs.cert }).start();
    double.json('GET /v1/whoami', { accountId: '123456789012' });
    fingerprint = new X509Certificate(certs.cert).fingerprint256;
  });
  after(async () => {
    await double?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a server signed by an unknown CA is refused with a hint, and the token is never sent', async () => {
    const client = new ApiClient({ realm: double.url, token: 'secret' });
    await assert.rejects(client.call('whoami'), (err: unknown) => {
      assert.ok(err instanceof IdylError);
      assert.equal(err.code, 'unavailable');
      assert.match(err.message, /cannot verify the TLS certificate/);
      assert.match(String(err.details?.hint), /--ca-file/);
      return true;
    });
    client.close();
    assert.equal(double.requests.length, 0);
  });

  test('the CA file makes the server trusted', async () => {
    if (typeof certs === 'string') return;
    const client = new ApiClient({ realm: double.url, tls: { ca: certs.caCert } });
    assert.deepEqual(await client.call('whoami'), { accountId: '123456789012' });
    client.close();
  });

  test('a pinned fingerprint that matches is accepted in any spelling', async () => {
    for (const pin of [fingerprint, `sha256:${fingerprint.replace(/:/g, '').toLowerCase()}`]) {
      const client = new ApiClient({ realm: double.url, tls: { fingerprint: pin } });
      assert.deepEqual(await client.call('whoami'), { accountId: '123456789012' });
      client.close();
    }
  });

  test('a pinned fingerprint that does not match is refused before any request is written', async () => {
    const before = double.requests.length;
    const client = new ApiClient({ realm: double.url, token: 'secret', tls: { fingerprint: 'AA'.repeat(32) } });
    await assert.rejects(client.call('whoami'), (err: unknown) => {
      assert.ok(err instanceof IdylError);
      assert.equal(err.code, 'unavailable');
      assert.match(err.message, /does not match the pinned fingerprint/);
      return true;
    });
    client.close();
    assert.equal(double.requests.length, before);
  });

  test('a malformed fingerprint is a validation error', () => {
    assert.throws(() => new ApiClient({ realm: double.url, tls: { fingerprint: 'abc' } }), /SHA-256 fingerprint/);
  });
});
