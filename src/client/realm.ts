import { IdylError } from '../api/errors.js';

/**
 * True when `hostname` (as `URL.hostname` gives it) names this machine: `localhost`,
 * any address in 127.0.0.0/8, or `::1`.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Parses a realm (the control plane's base URL) and decides whether it may be used.
 * Throws `validation_failed` for a malformed URL or a scheme other than http/https,
 * and for plain `http://` to a host that is not loopback unless `allowInsecureHttp`:
 * a bearer token must not cross a network in the clear by accident.
 */
export function parseRealm(realm: string, allowInsecureHttp = false): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new IdylError('validation_failed', `realm: "${realm}" is not a URL; use e.g. https://idyl.example.com or http://127.0.0.1:7070`, {
      field: 'realm',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new IdylError('validation_failed', `realm: scheme "${url.protocol.replace(/:$/, '')}" is not supported; use https:// (or http:// on loopback)`, {
      field: 'realm',
      allowed: ['https', 'http'],
    });
  }
  if (url.username || url.password) {
    throw new IdylError('validation_failed', 'realm: credentials in the URL are not accepted; pass the token with --token', { field: 'realm' });
  }
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    throw new IdylError('validation_failed', `realm: plain http:// to ${url.host} would send the token unencrypted`, {
      field: 'realm',
      hint: 'use an https:// realm, or, on a network you trust, log in again with --allow-insecure-http',
    });
  }
  url.search = '';
  url.hash = '';
  return url;
}
