import http from 'node:http';
import https from 'node:https';

/** One raw HTTP exchange with a control plane, as any client on the network could make it. */
export interface RawRequest {
  readonly method: string;
  readonly path: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON-encoded unless it is a string (sent as is). */
  readonly body?: unknown;
  /** For streaming answers: resolve after the first chunk (or this many ms) and close. */
  readonly stream?: boolean;
  readonly timeoutMs?: number;
  readonly ca?: string | Buffer;
  /** Aborting it closes the connection. */
  readonly signal?: AbortSignal;
}

export interface RawResponse {
  readonly status: number;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  /** `error.code` of an error body. */
  readonly code?: string;
}

/** Sends `r` to `base` and reads the answer (a stream only until its first chunk). */
export function rawCall(base: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(r.path, base);
  const headers: Record<string, string> = { accept: 'application/json', ...r.headers };
  if (r.token !== undefined) headers.authorization = `Bearer ${r.token}`;
  let payload: Buffer | undefined;
  if (r.body !== undefined) {
    payload = Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
    headers['content-type'] = typeof r.body === 'string' ? 'application/octet-stream' : 'application/json';
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method: r.method, headers, agent: false, ...(r.ca ? { ca: r.ca } : {}) });
    const timer = setTimeout(() => req.destroy(new Error(`${r.method} ${r.path}: no answer within ${r.timeoutMs ?? 10_000} ms`)), r.timeoutMs ?? 10_000);
    r.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const finish = () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const code = (json as { error?: { code?: string } } | undefined)?.error?.code;
        resolve({ status: res.statusCode ?? 0, text, json, ...(code ? { code } : {}) });
      };
      const ok = (res.statusCode ?? 0) < 300;
      if (r.stream && ok) {
        // A stream that stays open: what arrived first is enough to tell it was allowed.
        const stop = setTimeout(() => {
          res.destroy();
          finish();
        }, 300);
        res.once('data', (c: Buffer) => {
          chunks.push(c);
          clearTimeout(stop);
          res.destroy();
          finish();
        });
        res.on('error', () => undefined);
        return;
      }
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', finish);
      res.on('error', reject);
    });
    req.end(payload);
  });
}
