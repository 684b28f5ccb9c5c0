import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Certificate files made by openssl for one test run; `remove()` deletes them. */
export interface TestCertificates {
  readonly dir: string;
  /** A CA, and a server certificate for 127.0.0.1 and localhost that it signed. */
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Another CA that signed nothing here: "an unknown CA". */
  readonly otherCaCert: string;
  /** A self-signed server certificate for 127.0.0.1, for fingerprint pinning. */
  readonly selfSignedCert: string;
  readonly selfSignedKey: string;
  /** SHA-256 fingerprint of the self-signed certificate, `AB:CD:…`. */
  readonly selfSignedFingerprint: string;
  remove(): void;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Makes the certificates with openssl; throws when openssl is missing or fails. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'idyl-certs-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const san = join(dir, 'san.cnf');
  writeFileSync(san, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=idyl test CA']);
  run(['req', '-x509', ...EC, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=idyl unknown CA']);
  run(['req', ...EC, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', san]);
  run(['req', '-x509', ...EC, '-keyout', 'self.key', '-out', 'self.crt', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  const at = (f: string) => join(dir, f);
  return {
    dir,
    caCert: at('ca.crt'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    otherCaCert: at('other-ca.crt'),
    selfSignedCert: at('self.crt'),
    selfSignedKey: at('self.key'),
    selfSignedFingerprint: new X509Certificate(readFileSync(at('self.crt'))).fingerprint256,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
