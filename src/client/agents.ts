import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { IdylError } from '../api/errors.js';

/** How the client verifies an https server. With neither field, the system CAs are used. */
export interface TlsOptions {
  /** PEM bundle of the CA(s) that signed the server certificate. */
  readonly ca?: string | Buffer;
  /**
   * SHA-256 fingerprint of the server certificate (hex, with or without colons,
   * optionally prefixed `sha256:`). When set, the certificate must match it exactly;
   * chain and host name are then not consulted.
   */
  readonly fingerprint?: string;
}

/** Upper-case hex without separators, or an error for anything that is not 32 bytes of hex. */
export function normalizeFingerprint(value: string): string {
  const hex = value.trim().replace(/^sha256:/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new IdylError('validation_failed', 'tls fingerprint: expected a SHA-256 fingerprint (64 hex digits, colons allowed)', {
      field: 'tlsFingerprint',
      hint: 'openssl x509 -in server.crt -noout -fingerprint -sha256',
    });
  }
  return hex;
}

/** An https agent that hands a socket to a request only after the peer certificate matched the pin. */
class PinnedAgent extends https.Agent {
  constructor(private readonly pin: string) {
    super({ keepAlive: true });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, socket: Duplex) => void): Duplex | undefined {
    const done = callback ?? (() => undefined);
    // The chain is not consulted (a pinned certificate is usually self-signed); the
    // socket is handed over only after the comparison, so nothing is written before it.
    const socket = tls.connect({ ...(options as tls.ConnectionOptions), rejectUnauthorized: false });
    const onError = (err: Error) => done(err, socket);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.removeListener('error', onError);
      const got = socket.getPeerCertificate().fingerprint256?.replace(/:/g, '').toUpperCase() ?? '';
      if (got === this.pin) {
        done(null, socket);
        return;
      }
      socket.destroy();
      done(
        new IdylError('unavailable', `the server certificate does not match the pinned fingerprint (got sha256:${got || 'none'})`, {
          hint: 'if the server certificate was replaced on purpose, log in again with its new --tls-fingerprint',
          reason: 'tls_fingerprint_mismatch',
        }),
        socket,
      );
    });
    return undefined;
  }
}

/** A keep-alive agent for `url`'s scheme that verifies the server as `tls` says. */
export function createAgent(url: URL, tlsOptions: TlsOptions = {}): http.Agent {
  if (url.protocol === 'http:') return new http.Agent({ keepAlive: true });
  if (tlsOptions.fingerprint) return new PinnedAgent(normalizeFingerprint(tlsOptions.fingerprint));
  return new https.Agent({ keepAlive: true, ...(tlsOptions.ca ? { ca: tlsOptions.ca } : {}) });
}
