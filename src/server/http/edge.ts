import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { IdylError } from '../../api/errors.js';
import type { RouteDef } from '../../api/routes.js';
import { Name } from '../../api/schemas/common.js';
import { validate } from '../../api/validate.js';
import { authenticate, type AuthFailure } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { UniqueViolation, type Store } from '../store/store.js';
import type { Logger } from '../logger.js';
import { audit } from '../services/audit.js';
import { readJsonBody } from './body.js';
import type { Call, Handlers } from './handler.js';
import { sendError, sendJson } from './respond.js';
import { compileRouter } from './router.js';

export interface EdgeDeps {
  readonly store: Store;
  readonly handlers: Handlers;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly now: () => Date;
  /** Counts refused tokens; the audit trail records them in aggregate. */
  readonly onAuthFailure: (reason: AuthFailure, remote: string) => void;
  /** Aborted at shutdown: ends streams. */
  readonly shutdown: AbortSignal;
}

/**
 * The HTTP edge: match the route, authenticate, check who may call it, read and
 * validate the body, run the handler, and map every outcome to the error catalogue.
 * Nothing below this sees an unvalidated body or an anonymous caller.
 */
export function createEdge(deps: EdgeDeps): RequestListener {
  const match = compileRouter();
  return (req, res) => {
    void serve(deps, match, req, res);
  };
}

async function serve(deps: EdgeDeps, match: ReturnType<typeof compileRouter>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = process.hrtime.bigint();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const remote = req.socket.remoteAddress ?? '-';
  const abort = new AbortController();
  const onClose = () => abort.abort();
  res.on('close', onClose);
  const stopOnShutdown = () => abort.abort();
  deps.shutdown.addEventListener('abort', stopOnShutdown, { once: true });
  let routeId = '-';
  try {
    // Keep-alive clients would go on sending on their open connections until the last
    // moment: from the start of shutdown every answer closes its connection, and a new
    // request is refused.
    if (deps.shutdown.aborted) throw new IdylError('unavailable', 'the server is shutting down', { hint: 'try again when it is back' });
    const m = match(req.method ?? 'GET', url.pathname);
    if (m === undefined) throw new IdylError('not_found', `no route ${req.method} ${url.pathname}`);
    if (m === 'method') throw new IdylError('not_found', `${req.method} is not served on ${url.pathname}`);
    routeId = m.id;
    const route: RouteDef = m.route;
    let principal: Principal | undefined;
    if (route.auth !== 'public') {
      const who = await authenticate(deps.store, req.headers.authorization, deps.now());
      if (typeof who === 'string') {
        deps.onAuthFailure(who, remote);
        if (who === 'node_removed') {
          throw new IdylError('node_removed', 'the node of this credential was deleted from the control plane; the credential no longer works', {
            hint: 'join the host again: idyl node join (with another --state-dir, or after removing node.json)',
          });
        }
        throw new IdylError('unauthenticated', who === 'missing' ? 'this route needs a bearer token' : 'the token is not valid (unknown, revoked or expired)', {
          hint: 'log in again with `idyl login --realm URL --token TOKEN`',
        });
      }
      principal = who;
      // The request's own form first: a malformed header or path namespace is the
      // same validation_failed for every caller, before any authorization decision.
      const malformed = formRefusal(req.headers['x-idyl-account'], m.params);
      if (malformed) throw malformed;
      const refusal = callerRefusal(route, principal, m.params);
      if (refusal) {
        // A token used beyond its scope (a node credential on a user route, a non-root
        // token on a root route) is a decision worth a record.
        await deps.store.transaction((tx) => audit(tx, { principal: who, action: `route.${m.id}`, target: `${req.method} ${url.pathname}`, allowed: false, reason: refusal.message }));
        throw refusal;
      }
    }
    let accountId: string | undefined;
    try {
      accountId = await actingAccount(deps.store, principal, req.headers['x-idyl-account']);
    } catch (err) {
      if (err instanceof IdylError && err.code === 'forbidden') {
        await deps.store.transaction((tx) => audit(tx, { principal, action: `route.${routeId}`, target: `${req.method} ${url.pathname}`, allowed: false, reason: err.message }));
      }
      throw err;
    }
    const query = Object.fromEntries(url.searchParams);
    if (route.query) {
      const q = validate(route.query, query, 'query');
      if (!q.ok) throw q.error;
    }
    let body: unknown;
    if (route.body && route.body !== 'stream') {
      body = await readJsonBody(req, deps.bodyLimitBytes);
      if (route.body !== 'manifest') {
        const v = validate(route.body, body);
        if (!v.ok) throw v.error;
      }
    }
    const call: Call = { id: m.id, params: m.params, query, body, principal, accountId, req, res, signal: abort.signal, remote };
    const reply = await deps.handlers[m.id](call);
    if (reply !== 'streamed') {
      if (deps.shutdown.aborted) res.setHeader('connection', 'close');
      sendJson(res, reply.status ?? 200, reply.body);
    }
  } catch (err) {
    const known = toIdylError(err);
    if (known.code === 'internal') deps.logger.error('request failed', { route: routeId, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    if (deps.shutdown.aborted && !res.headersSent) res.setHeader('connection', 'close');
    if (!res.headersSent) sendError(res, known);
    else res.destroy();
  } finally {
    res.off('close', onClose);
    deps.shutdown.removeEventListener('abort', stopOnShutdown);
    deps.logger.debug('request', { method: req.method, path: url.pathname, route: routeId, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 });
  }
}

/** Route-level check of the caller's kind (undefined: may call); resource-level checks happen in the services. */
function callerRefusal(route: RouteDef, p: Principal, params: Readonly<Record<string, string>>): IdylError | undefined {
  const ownNode = p.kind === 'node' && params.node === p.nodeId;
  switch (route.auth) {
    case 'user':
      return p.kind !== 'user' ? new IdylError('forbidden', 'a node credential may only heartbeat, read its assignments and report on them') : undefined;
    case 'root':
      return p.kind !== 'user' || !p.root ? new IdylError('forbidden', 'only the root account may do this') : undefined;
    case 'node':
      return ownNode ? undefined : new IdylError('forbidden', p.kind === 'node' ? 'a node credential may only act for its own node' : 'only the node itself may call this');
    case 'user-or-node':
      return p.kind === 'node' && !ownNode ? new IdylError('forbidden', 'a node credential may only act for its own node') : undefined;
    default:
      return undefined;
  }
}

function headerValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/** A 12-digit account id never starts with 0 (docs/access.md). */
const ACCOUNT_ID = /^[1-9]\d{11}$/;

/** What is wrong with the request's form, whoever sends it: the account header, the path's namespace. */
function formRefusal(header: string | string[] | undefined, params: Readonly<Record<string, string>>): IdylError | undefined {
  const asked = headerValue(header);
  if (asked !== undefined && asked !== '' && !ACCOUNT_ID.test(asked)) {
    return new IdylError('validation_failed', 'X-Idyl-Account: must be a 12-digit account id that does not start with 0', { field: 'X-Idyl-Account' });
  }
  if (params.namespace !== undefined) {
    const ns = validate(Name, params.namespace, 'namespace');
    if (!ns.ok) return ns.error;
  }
  return undefined;
}

/**
 * The account the request acts for: the token's own, or for a root token the one the
 * header names, which must exist. Any other token naming another account is forbidden.
 */
async function actingAccount(store: Store, p: Principal | undefined, header: string | string[] | undefined): Promise<string | undefined> {
  if (!p) return undefined;
  const asked = headerValue(header);
  if (!asked || asked === p.accountId) return p.accountId;
  if (p.kind === 'user' && p.root) {
    if (!(await store.read.accounts.get(asked))) throw new IdylError('not_found', `no account ${asked}`, { hint: 'idyl account get lists the accounts' });
    return asked;
  }
  throw new IdylError('forbidden', `this token acts for account ${p.accountId}, not ${asked}`, { hint: 'use a token of that account' });
}

function toIdylError(err: unknown): IdylError {
  if (err instanceof IdylError) return err;
  if (err instanceof UniqueViolation) return new IdylError('conflict', 'a resource with that name already exists');
  return new IdylError('internal', 'an internal error occurred; the request may be retried');
}
