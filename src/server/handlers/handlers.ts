import type { IncomingMessage, ServerResponse } from 'node:http';
import { IdylError } from '../../api/errors.js';
import { STREAM_ERROR_TRAILER } from '../../api/wire.js';
import type { AdmissionMode } from '../../api/subnet.js';
import type { AdmissionGrantRequest, CreateSubnetRequest, CreateTokenRequest, EditSubnetRequest, PodStatusReport } from '../../api/schemas/requests.js';
import type { Actor, Principal } from '../auth/principal.js';
import type { Call, Handlers } from '../http/handler.js';
import type { Services } from '../services/services.js';
import { buildOpenApi } from '../http/openapi.js';

/** The user principal acting for the call's account (the edge already refused others). */
function actor(call: Call): Actor {
  const p = call.principal;
  if (!p || p.kind !== 'user' || !call.accountId) throw new IdylError('forbidden', 'this route needs a user token');
  return { principal: p, accountId: call.accountId };
}

function principal(call: Call): Principal {
  if (!call.principal || !call.accountId) throw new IdylError('unauthenticated', 'this route needs a bearer token');
  return call.principal;
}

const p = (call: Call, name: string): string => call.params[name] ?? '';

/** Streams a pod's output from its node through the log relay (query `follow`, `tail`). */
async function pipeLogs(s: Services, c: Call, pod: { id: string; name: string; nodeId?: string }): Promise<'streamed'> {
  if (!pod.nodeId) throw new IdylError('unavailable', `pod ${pod.name} is not placed on a node yet`, { hint: `idyl describe pod ${pod.name}` });
  const nodeId = pod.nodeId;
  const follow = c.query.follow === 'true' || c.query.follow === '1';
  const tail = c.query.tail !== undefined && /^\d{1,7}$/.test(c.query.tail) ? Number(c.query.tail) : undefined;
  await s.relay.request(nodeId, pod.id, { follow, ...(tail !== undefined ? { tail } : {}) }, c.signal, async (body: IncomingMessage) => {
    c.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', trailer: STREAM_ERROR_TRAILER });
    c.res.flushHeaders();
    const outcome = await relayBody(body, c.res);
    // The agent's upload ended without its end: the node's side went away mid-stream.
    // The answer has started, so the error travels in the trailer (the client raises it).
    if (outcome === 'broke' && !c.res.writableEnded) {
      const err = new IdylError('unavailable', `the log stream of pod ${pod.name} from node ${nodeId} broke off: the node's agent went away or lost its connection; the pod may still be running`, {
        hint: `run idyl logs again once the node is connected again (idyl get nodes)`,
      });
      c.res.addTrailers({ [STREAM_ERROR_TRAILER]: encodeURIComponent(JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } })) });
    }
  });
  if (!c.res.headersSent) c.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  if (!c.res.writableEnded) c.res.end();
  return 'streamed';
}

/** Pipes the agent's upload to the client: `ended` (all of it), `broke` (the upload broke off) or `left` (the client went away). */
function relayBody(body: IncomingMessage, res: ServerResponse): Promise<'ended' | 'broke' | 'left'> {
  return new Promise((resolve) => {
    body.pipe(res, { end: false });
    body.on('end', () => resolve('ended'));
    body.on('error', () => resolve('broke'));
    body.on('close', () => resolve(body.readableEnded ? 'ended' : 'broke'));
    res.on('close', () => {
      body.destroy();
      resolve('left');
    });
  });
}

/** Every route's handler: parameters in, one service call, data out. */
export function buildHandlers(s: Services): Handlers {
  const openapi = buildOpenApi();
  return {
    healthz: async () => ({ body: { status: 'ok' } }),
    openapi: async () => ({ body: openapi }),
    whoami: async (c) => {
      const who = principal(c);
      return { body: await s.accounts.whoami(who, c.accountId ?? who.accountId) };
    },

    'accounts.create': async (c) => ({ status: 201, body: await s.accounts.create(actor(c), (c.body as { name: string }).name) }),
    'accounts.list': async (c) => ({ body: { items: await s.accounts.list(actor(c)) } }),
    'accounts.get': async (c) => ({ body: await s.accounts.get(actor(c), p(c, 'account')) }),

    'tokens.create': async (c) => ({ status: 201, body: await s.accounts.createToken(actor(c), c.body as CreateTokenRequest) }),
    'tokens.list': async (c) => ({ body: { items: await s.accounts.listTokens(actor(c)) } }),
    'tokens.revoke': async (c) => ({ body: await s.accounts.revokeToken(actor(c), p(c, 'token')) }),

    'subnets.create': async (c) => ({ status: 201, body: await s.subnets.create(actor(c), c.body as CreateSubnetRequest) }),
    'subnets.list': async (c) => ({ body: { items: await s.subnets.list(actor(c)) } }),
    'subnets.get': async (c) => ({ body: await s.subnets.get(actor(c), p(c, 'subnet')) }),
    'subnets.edit': async (c) => ({ body: await s.subnets.edit(actor(c), p(c, 'subnet'), c.body as EditSubnetRequest) }),
    'subnets.delete': async (c) => ({ body: await s.subnets.delete(actor(c), p(c, 'subnet')) }),
    'subnets.approve': async (c) => ({ body: await s.subnets.approve(actor(c), p(c, 'subnet'), true) }),
    'subnets.unapprove': async (c) => ({ body: await s.subnets.approve(actor(c), p(c, 'subnet'), false) }),
    'approvals.list': async (c) => ({ body: { items: await s.subnets.approvals(actor(c)) } }),

    'admission.get': async (c) => ({ body: await s.admission.get(actor(c), p(c, 'subnet')) }),
    'admission.set': async (c) => ({ body: await s.admission.setMode(actor(c), p(c, 'subnet'), p(c, 'type'), (c.body as { mode: AdmissionMode }).mode) }),
    'admission.grant': async (c) => ({ body: await s.admission.grant(actor(c), p(c, 'subnet'), c.body as AdmissionGrantRequest) }),
    'admission.revoke': async (c) => ({ body: await s.admission.revoke(actor(c), p(c, 'subnet'), p(c, 'kind'), p(c, 'id')) }),

    'fleets.create': async (c) => ({ status: 201, body: await s.fleets.create(actor(c), (c.body as { name: string }).name) }),
    'fleets.list': async (c) => ({ body: { items: await s.fleets.list(actor(c)) } }),
    'fleets.get': async (c) => ({ body: await s.fleets.get(actor(c), p(c, 'fleet')) }),
    'fleets.rename': async (c) => ({ body: await s.fleets.rename(actor(c), p(c, 'fleet'), (c.body as { name: string }).name) }),
    'fleets.delete': async (c) => ({ body: await s.fleets.delete(actor(c), p(c, 'fleet')) }),

    'workloads.create': async (c) => ({ status: 201, body: await s.workloads.create(actor(c), p(c, 'namespace'), c.body) }),
    'workloads.apply': async (c) => {
      const r = await s.workloads.apply(actor(c), p(c, 'namespace'), p(c, 'kind'), p(c, 'name'), c.body);
      return { status: r.action === 'created' ? 201 : 200, body: r };
    },
    'workloads.list': async (c) => ({ body: { items: await s.workloads.list(actor(c), p(c, 'namespace'), p(c, 'kind')) } }),
    'workloads.get': async (c) => ({ body: await s.workloads.get(actor(c), p(c, 'namespace'), p(c, 'kind'), p(c, 'name')) }),
    'workloads.delete': async (c) => ({ body: await s.workloads.delete(actor(c), p(c, 'namespace'), p(c, 'kind'), p(c, 'name')) }),
    'workloads.logs': async (c) => pipeLogs(s, c, await s.workloads.podForLogs(actor(c), p(c, 'namespace'), p(c, 'kind'), p(c, 'name'))),

    'events.list': async (c) => {
      const a = actor(c);
      if (c.query.follow === 'true' || c.query.follow === '1') {
        await s.events.follow(a.accountId, c.query, c.res, c.signal, a.principal.tokenId);
        return 'streamed';
      }
      return { body: await s.events.list(a.accountId, c.query) };
    },

    'nodes.join': async (c) => ({ status: 201, body: await s.nodes.join(actor(c), c.body as { subnet: string; name?: string; fleet?: string; report: unknown }) }),
    'nodes.list': async (c) => ({ body: { items: await s.nodes.list(actor(c), c.query.subnet) } }),
    'nodes.get': async (c) => ({ body: await s.nodes.get(principal(c), c.accountId as string, p(c, 'node')) }),
    'nodes.delete': async (c) => ({ body: await s.nodes.delete(actor(c), p(c, 'node')) }),
    'nodes.rotate': async (c) => ({ body: await s.nodes.rotate(principal(c), c.accountId as string, p(c, 'node')) }),
    'nodes.pods': async (c) => ({ body: { items: await s.provider.pods(actor(c), p(c, 'node')) } }),
    'nodes.podLogs': async (c) => pipeLogs(s, c, await s.provider.podForLogs(actor(c), p(c, 'node'), p(c, 'pod'))),
    'nodes.heartbeat': async (c) => ({ body: await s.nodes.heartbeat(p(c, 'node'), (c.body as { report?: unknown }).report) }),
    'nodes.assignments': async (c) => {
      const since = c.query.since !== undefined && /^\d{1,15}$/.test(c.query.since) ? Number(c.query.since) : 0;
      await s.nodes.heartbeat(p(c, 'node'), undefined);
      await s.streamAssignments(p(c, 'node'), since, c.res, c.signal, principal(c).tokenId);
      return 'streamed';
    },
    'nodes.podStatus': async (c) => ({ body: await s.podReport(p(c, 'node'), p(c, 'pod'), c.body as PodStatusReport) }),
    'nodes.logStream': async (c) => {
      const taken = await s.relay.accept(p(c, 'node'), p(c, 'request'), c.req);
      if (!taken) {
        c.req.resume();
        throw new IdylError('not_found', 'nobody is waiting for this log stream any more');
      }
      return { body: { delivered: true } };
    },
  };
}
