import { IdylError, isErrorCode, type ErrorCode, type ErrorDetails } from '../api/errors.js';

/** The catalogue code a bare HTTP status stands for, when the body names none. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'validation_failed';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 429:
      return 'rate_limited';
    case 502:
    case 503:
    case 504:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal' : 'validation_failed';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Turns an error response into an `IdylError`. A body of the form
 * `{"error": {code, message, details}}` keeps the server's code, message and details;
 * a code this client does not know (a newer server) falls back to the status's code
 * and travels in `details.serverCode`; any other body gets the status's code.
 */
export function errorFromResponse(status: number, body: string, what: string): IdylError {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  const err = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  if (err && typeof err.message === 'string') {
    const details = isRecord(err.details) ? (err.details as ErrorDetails) : undefined;
    if (isErrorCode(err.code)) return new IdylError(err.code, err.message, details);
    return new IdylError(codeForStatus(status), err.message, { ...details, serverCode: err.code, status });
  }
  const excerpt = body.trim().slice(0, 200);
  return new IdylError(codeForStatus(status), `${what} answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`, { status });
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/**
 * Turns a failure to reach the server (refused, reset, DNS, TLS verification) into
 * `unavailable` with the address and the system's code, and a hint of what to check.
 */
export function connectionError(cause: unknown, origin: string): IdylError {
  if (cause instanceof IdylError) return cause;
  const code = (cause as { code?: unknown }).code;
  const label = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  if (typeof code === 'string' && TLS_CODES.has(code)) {
    return new IdylError('unavailable', `cannot verify the TLS certificate of ${origin}: ${label}`, {
      hint: 'log in again with --ca-file FILE (the CA that signed it) or --tls-fingerprint SHA256 (pin this certificate)',
      reason: code,
    });
  }
  return new IdylError('unavailable', `cannot reach ${origin}: ${label}`, {
    hint: 'check that the control plane runs there (idyl server) and that --realm or the context is right (idyl context show)',
    ...(typeof code === 'string' ? { reason: code } : {}),
  });
}
