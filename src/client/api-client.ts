import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { IdylError } from '../api/errors.js';
import { pathFor, ROUTES, type RouteId } from '../api/routes.js';
import { STREAM_ERROR_TRAILER } from '../api/wire.js';
import { createAgent, type TlsOptions } from './agents.js';
import { parseNdjson } from './ndjson.js';
import { parseRealm } from './realm.js';
import { connectionError, errorFromResponse } from './response-error.js';

/** How to reach and authenticate to a control plane. */
export interface ApiClientOptions {
  /** The control plane's base URL, e.g. `https://idyl.example.com` or `http://127.0.0.1:7070`. */
  readonly realm: string;
  /** Sent as `Authorization: Bearer <token>`; a user token or a node credential. */
  readonly token?: string;
  /** Sent as `X-Idyl-Account` on every call: the account to act in. */
  readonly accountId?: string;
  readonly tls?: TlsOptions;
  /** Permit plain `http://` to a host that is not loopback. */
  readonly allowInsecureHttp?: boolean;
  /** A call must complete, and a stream must start, within this time. Default 30 s. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  /** Aborts every call and stream of this client (e.g. on Ctrl-C), besides each call's own signal. */
  readonly signal?: AbortSignal;
}

/** The variable parts of one call. */
export interface ApiRequest {
  /** Values for the route's `:name` path segments. */
  readonly params?: Readonly<Record<string, string>>;
  /** Query parameters; `undefined` values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Overrides the client's account for this call only. */
  readonly accountId?: string;
}

type Accept = 'application/json' | 'application/x-ndjson' | 'text/plain';

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A typed caller over `ROUTES`. Error responses become `IdylError`s with the server's
 * code; a server that cannot be reached becomes `unavailable`. Connections are kept
 * alive between calls; call `close()` when done so that the process can exit.
 */
export class ApiClient {
  readonly realm: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private token: string | undefined;

  /** Throws `validation_failed` for a realm it must not use (see `parseRealm`). */
  constructor(private readonly options: ApiClientOptions) {
    this.realm = parseRealm(options.realm, options.allowInsecureHttp);
    this.token = options.token;
    this.agent = createAgent(this.realm, options.tls);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** `scheme://host:port` of the realm, as error messages show it. */
  get origin(): string {
    return this.realm.origin;
  }

  /** Calls a route and returns its JSON answer (`undefined` for an empty one). */
  async call<T>(id: RouteId, req: ApiRequest = {}, signal?: AbortSignal): Promise<T> {
    const { res, done } = await this.open(id, req, 'application/json', this.signalFor(signal), false);
    try {
      const text = (await readAll(res)).toString('utf8');
      return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
    } catch (err) {
      if (err instanceof SyntaxError) throw new IdylError('internal', `${this.origin} answered ${id} with a body that is not JSON`);
      throw connectionError(err, this.origin);
    } finally {
      done();
    }
  }

  /** Streams a route's NDJSON answer, one value per line, until the server ends it or `signal` aborts. */
  async *ndjson<T>(id: RouteId, req: ApiRequest = {}, signal?: AbortSignal): AsyncGenerator<T> {
    const sig = this.signalFor(signal);
    const { res } = await this.open(id, req, 'application/x-ndjson', sig, true);
    yield* this.guard(parseNdjson<T>(res), sig, res);
  }

  /** Streams a route's raw answer (e.g. logs) until the server ends it or `signal` aborts. */
  async *text(id: RouteId, req: ApiRequest = {}, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const sig = this.signalFor(signal);
    const { res } = await this.open(id, req, 'text/plain', sig, true);
    yield* this.guard(res as AsyncIterable<Buffer>, sig, res);
    // A stream whose source broke off after the answer started says so in its trailer.
    const broke = res.trailers[STREAM_ERROR_TRAILER];
    if (broke !== undefined && !sig?.aborted) throw errorFromResponse(503, safeDecode(broke), this.origin);
  }

  /** Sends `source` as a streamed request body (routes whose body is `stream`) and returns the JSON answer. */
  async upload<T>(id: RouteId, req: ApiRequest, source: AsyncIterable<Buffer | string>, signal?: AbortSignal): Promise<T> {
    const { res, done } = await this.open(id, req, 'application/json', this.signalFor(signal), false, Readable.from(source));
    try {
      const text = (await readAll(res)).toString('utf8');
      return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
    } finally {
      done();
    }
  }

  /** Sends `token` from the next call on (a node agent whose credential was rotated). */
  setToken(token: string): void {
    this.token = token;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  /** The call's signal joined with the client's own. */
  private signalFor(signal: AbortSignal | undefined): AbortSignal | undefined {
    const own = this.options.signal;
    if (!own) return signal;
    return signal ? AbortSignal.any([own, signal]) : own;
  }

  private async *guard<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined, res: http.IncomingMessage): AsyncGenerator<T> {
    const onAbort = () => res.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const item of source) yield item;
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof IdylError) throw err;
      throw new IdylError('unavailable', `the stream from ${this.origin} broke off: ${(err as { code?: string }).code ?? String(err)}`, {
        hint: 'run the command again; streams resume where the server keeps history',
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      res.destroy();
    }
  }

  private url(id: RouteId, req: ApiRequest): URL {
    const url = new URL(this.realm.href);
    url.pathname = url.pathname.replace(/\/+$/, '') + pathFor(id, req.params);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Sends the request; resolves once a 2xx response started, rejects with the mapped error otherwise. */
  private open(
    id: RouteId,
    req: ApiRequest,
    accept: Accept,
    signal: AbortSignal | undefined,
    streaming: boolean,
    bodyStream?: Readable,
  ): Promise<{ res: http.IncomingMessage; done: () => void }> {
    const route = ROUTES[id];
    const url = this.url(id, req);
    const headers: Record<string, string> = { accept, 'user-agent': this.options.userAgent ?? 'idyl-cli' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const account = req.accountId ?? this.options.accountId;
    if (account) headers['x-idyl-account'] = account;
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      payload = Buffer.from(JSON.stringify(req.body));
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    } else if (bodyStream) {
      headers['content-type'] = 'application/octet-stream';
    }
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason ?? new Error('aborted'));
        return;
      }
      const request = (url.protocol === 'https:' ? https : http).request(url, { method: route.method, agent: this.agent, headers });
      const timer = setTimeout(() => {
        request.destroy(new IdylError('unavailable', `${this.origin} did not answer ${route.method} ${url.pathname} within ${this.timeoutMs / 1000}s`));
      }, this.timeoutMs);
      const onAbort = () => request.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      request.on('error', (err) => {
        done();
        reject(signal?.aborted ? err : connectionError(err, this.origin));
      });
      request.on('response', (res) => {
        if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
          if (streaming) done();
          resolve({ res, done });
          return;
        }
        readAll(res, 64 * 1024)
          .then((buf) => reject(errorFromResponse(res.statusCode ?? 0, buf.toString('utf8'), this.origin)))
          .catch((err: unknown) => reject(connectionError(err, this.origin)))
          .finally(done);
      });
      // A source that fails breaks the request off, so that the receiver does not take it for the end.
      if (bodyStream) bodyStream.on('error', (err) => request.destroy(err)).pipe(request);
      else request.end(payload);
    });
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function readAll(res: http.IncomingMessage, limit = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < limit) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks);
}
