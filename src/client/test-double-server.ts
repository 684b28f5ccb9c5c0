import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request as the test double received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawBody: string;
  /** The body parsed as JSON, or undefined when empty or not JSON. */
  readonly body: unknown;
}

/** How the double answers one request; write to `res` directly for streams. */
export type DoubleHandler = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;

/**
 * A TEST DOUBLE of the control plane for client and CLI tests: a real HTTP server on
 * loopback that records every request and answers from handlers keyed
 * `"METHOD /path"` (exact path, no query). Unmatched requests get 404 `not_found`.
 * Not used outside tests.
 */
export class TestDoubleServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, DoubleHandler>();
  private readonly server: http.Server;
  private readonly scheme: 'http' | 'https';

  /** With `tls` (PEM key and certificate) the double serves https. */
  constructor(tls?: { key: string | Buffer; cert: string | Buffer }) {
    this.server = tls ? https.createServer(tls) : http.createServer();
    this.scheme = tls ? 'https' : 'http';
    this.server.on('request', (req, res) => void this.handle(req, res));
  }

  /** Starts listening on 127.0.0.1 on a free port. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** `http://127.0.0.1:PORT` (`https://` when serving TLS). */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `${this.scheme}://127.0.0.1:${port}`;
  }

  /** Answers `METHOD /path` with a handler. */
  on(key: string, handler: DoubleHandler): this {
    this.routes.set(key, handler);
    return this;
  }

  /** Answers `METHOD /path` with `status` and `body` as JSON. */
  json(key: string, body: unknown, status = 200): this {
    return this.on(key, (_req, res) => sendJson(res, status, body));
  }

  /** The last request for `METHOD /path`, or undefined. */
  last(key: string): RecordedRequest | undefined {
    return [...this.requests].reverse().find((r) => `${r.method} ${r.path}` === key);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', 'http://double');
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers: req.headers,
      rawBody,
      body,
    };
    this.requests.push(recorded);
    const handler = this.routes.get(`${recorded.method} ${recorded.path}`);
    if (!handler) {
      sendJson(res, 404, { error: { code: 'not_found', message: `test double: no route ${recorded.method} ${recorded.path}` } });
      return;
    }
    await handler(recorded, res);
  }
}

/** Writes `body` as a JSON response. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
