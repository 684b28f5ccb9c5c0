import { request } from 'node:http';

/** An HTTP answer, body as text. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * One HTTP request over a unix socket (a daemon's API socket) or to a host:port
 * base URL. Rejects only when the other end cannot be reached; any status resolves.
 */
export function httpRequest(
  target: { readonly socketPath: string } | { readonly baseUrl: string },
  method: string,
  path: string,
  options: { readonly body?: string | Buffer; readonly headers?: Record<string, string>; readonly timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const where = 'socketPath' in target ? { socketPath: target.socketPath, path } : urlParts(target.baseUrl, path);
  return new Promise((resolve, reject) => {
    const req = request({ ...where, method, headers: { ...options.headers }, timeout: options.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

function urlParts(baseUrl: string, path: string): { host: string; port: string; path: string } {
  const url = new URL(path, baseUrl);
  return { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}` };
}
