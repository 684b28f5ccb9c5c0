import type { ErrorCode } from '../../src/api/errors.js';
import { pathFor, type RouteId } from '../../src/api/routes.js';
import { rawCall } from '../support/http-call.js';
import { dockerReport, podManifest, type World } from './world.js';

/** Who calls, in the authorization matrix. */
export const WHO = ['anonymous', 'wrongAccount', 'builder', 'provider', 'subnetOwner', 'root', 'nodeSelf', 'nodeOther', 'revoked', 'expired', 'removedNode'] as const;
export type Who = (typeof WHO)[number];

/** What a caller gets: through (`allow`), or refused with this code. */
export type Outcome = 'allow' | ErrorCode;

/** One request, made afresh for each caller so that an allowed call never spoils the next. */
export interface Prepared {
  readonly path: string;
  readonly body?: unknown;
  /** The credential of the node the path names (the `nodeSelf` caller). */
  readonly nodeCredential?: string;
  /** Text of the resource asked for: only callers in `sees` may find it in an allowed answer. */
  readonly marker?: string;
  /** Ends what `prepare` started (a log request left waiting). */
  cleanup?(): void;
}

export interface RouteCase {
  prepare(w: World): Promise<Prepared>;
  readonly expect: Readonly<Record<Who, Outcome>>;
  /** With `marker`: the allowed callers that may see it; others must not. */
  readonly sees?: readonly Who[];
}

type UserWho = 'wrongAccount' | 'builder' | 'provider' | 'subnetOwner' | 'root';
const USERS: readonly UserWho[] = ['wrongAccount', 'builder', 'provider', 'subnetOwner', 'root'];

/** A user route: the named user callers get through, the other users get `denied`; node credentials are forbidden. */
function user(allowed: readonly UserWho[], denied: ErrorCode = 'forbidden', overrides: Partial<Record<Who, Outcome>> = {}): Record<Who, Outcome> {
  // removedNode: the credential of a deleted node, told apart so that its agent stops serving.
  const out = { anonymous: 'unauthenticated', revoked: 'unauthenticated', expired: 'unauthenticated', removedNode: 'node_removed', nodeSelf: 'forbidden', nodeOther: 'forbidden' } as Record<Who, Outcome>;
  for (const u of USERS) out[u] = allowed.includes(u) ? 'allow' : denied;
  return { ...out, ...overrides };
}

const EVERY_USER = USERS;

/** A node route: only the credential of the node in the path. */
function nodeOnly(): Record<Who, Outcome> {
  return { ...user([], 'forbidden'), nodeSelf: 'allow' };
}

const at = (id: RouteId, params: Record<string, string> = {}, query = ''): string => pathFor(id, params) + query;

/**
 * The expected answer of every route of `src/api/routes.ts` to every caller. The
 * record is keyed by route id, so a route added without an entry does not compile,
 * and the test also compares the keys at run time.
 */
export const ROUTE_CASES: Record<RouteId, RouteCase> = {
  healthz: {
    prepare: async () => ({ path: at('healthz') }),
    expect: Object.fromEntries(
      WHO.map((w) => [w, 'allow']),
    ) as Record<Who, Outcome>,
  },
  openapi: { prepare: async () => ({ path: at('openapi') }), expect: user(EVERY_USER) },
  whoami: { prepare: async () => ({ path: at('whoami') }), expect: user(EVERY_USER) },

  'accounts.create': { prepare: async (w) => ({ path: at('accounts.create'), body: { name: w.name('acct') } }), expect: user(['root']) },
  'accounts.list': {
    prepare: async (w) => ({ path: at('accounts.list'), marker: w.accounts.builder }),
    expect: user(EVERY_USER),
    sees: ['builder', 'root'],
  },
  'accounts.get': { prepare: async (w) => ({ path: at('accounts.get', { account: w.accounts.builder }) }), expect: user(['builder', 'root'], 'not_found') },

  'tokens.create': {
    prepare: async (w) => ({ path: at('tokens.create'), body: { name: w.name('tok'), accountId: w.accounts.builder } }),
    expect: user(['builder', 'root']),
  },
  'tokens.list': {
    prepare: async (w) => {
      const t = await w.ok(w.tokens.builder, 'POST', '/v1/tokens', { name: w.name('listed') });
      return { path: at('tokens.list'), marker: (t.json as { id: string }).id };
    },
    expect: user(EVERY_USER),
    sees: ['builder'],
  },
  'tokens.revoke': {
    prepare: async (w) => {
      const t = await w.ok(w.tokens.builder, 'POST', '/v1/tokens', { name: w.name('doomed') });
      return { path: at('tokens.revoke', { token: (t.json as { id: string }).id }) };
    },
    expect: user(['builder'], 'not_found'),
  },

  'subnets.create': { prepare: async (w) => ({ path: at('subnets.create'), body: { region: 'lab', name: w.name('new') } }), expect: user(EVERY_USER) },
  'subnets.list': {
    prepare: async (w) => ({ path: at('subnets.list'), marker: await w.subnet(false) }),
    expect: user(EVERY_USER),
    sees: ['subnetOwner'],
  },
  // Any account may look a subnet up (to deploy into it); its grants show only to the owner.
  'subnets.get': {
    prepare: async (w) => ({ path: at('subnets.get', { subnet: await w.subnet(true) }), marker: w.accounts.builder }),
    expect: user(EVERY_USER),
    sees: ['subnetOwner'],
  },
  'subnets.edit': {
    prepare: async (w) => ({ path: at('subnets.edit', { subnet: await w.subnet(false) }), body: { runtimePolicy: { allowedIsolationClasses: ['microvm'] } } }),
    expect: user(['subnetOwner']),
  },
  'subnets.delete': { prepare: async (w) => ({ path: at('subnets.delete', { subnet: await w.subnet(false) }) }), expect: user(['subnetOwner']) },
  'subnets.approve': { prepare: async (w) => ({ path: at('subnets.approve', { subnet: await w.subnet(false) }) }), expect: user(EVERY_USER) },
  'subnets.unapprove': { prepare: async (w) => ({ path: at('subnets.unapprove', { subnet: await w.subnet(false) }) }), expect: user(EVERY_USER) },
  'approvals.list': { prepare: async () => ({ path: at('approvals.list') }), expect: user(EVERY_USER) },

  'admission.get': { prepare: async (w) => ({ path: at('admission.get', { subnet: await w.subnet(true) }) }), expect: user(['subnetOwner']) },
  'admission.set': {
    prepare: async (w) => ({ path: at('admission.set', { subnet: await w.subnet(false), type: 'developer' }), body: { mode: 'open' } }),
    expect: user(['subnetOwner']),
  },
  'admission.grant': {
    prepare: async (w) => ({ path: at('admission.grant', { subnet: await w.subnet(false) }), body: { developerAccount: w.accounts.outsider } }),
    expect: user(['subnetOwner']),
  },
  'admission.revoke': {
    prepare: async (w) => ({ path: at('admission.revoke', { subnet: await w.subnet(true), kind: 'account', id: w.accounts.builder }) }),
    expect: user(['subnetOwner']),
  },

  'fleets.create': { prepare: async (w) => ({ path: at('fleets.create'), body: { name: w.name('fleet') } }), expect: user(EVERY_USER) },
  'fleets.list': { prepare: async (w) => ({ path: at('fleets.list'), marker: w.fleet }), expect: user(EVERY_USER), sees: ['provider'] },
  'fleets.get': { prepare: async (w) => ({ path: at('fleets.get', { fleet: w.fleet }) }), expect: user(['provider'], 'not_found') },
  'fleets.rename': { prepare: async (w) => ({ path: at('fleets.rename', { fleet: w.fleet }), body: { name: w.name('rack') } }), expect: user(['provider'], 'not_found') },
  'fleets.delete': {
    prepare: async (w) => {
      const f = await w.ok(w.tokens.provider, 'POST', '/v1/fleets', { name: w.name('empty') });
      return { path: at('fleets.delete', { fleet: (f.json as { id: string }).id }) };
    },
    expect: user(['provider'], 'not_found'),
  },

  // The builder was admitted and approved `parking`; its owner is admitted and approved from the start.
  'workloads.create': {
    prepare: async (w) => ({ path: at('workloads.create', { namespace: 'default' }), body: podManifest(w.name('new'), 'parking') }),
    expect: user(['builder', 'subnetOwner'], 'subnet_not_approved'),
  },
  'workloads.apply': {
    prepare: async (w) => {
      const name = w.name('applied');
      return { path: at('workloads.apply', { namespace: 'default', kind: 'pods', name }), body: podManifest(name, 'parking') };
    },
    expect: user(['builder', 'subnetOwner'], 'subnet_not_approved'),
  },
  'workloads.list': {
    prepare: async (w) => ({ path: at('workloads.list', { namespace: 'default', kind: 'pods' }), marker: (await w.parkedPod()).id }),
    expect: user(EVERY_USER),
    sees: ['builder'],
  },
  'workloads.get': {
    prepare: async (w) => ({ path: at('workloads.get', { namespace: 'default', kind: 'pods', name: (await w.parkedPod()).name }) }),
    expect: user(['builder'], 'not_found'),
  },
  'workloads.delete': {
    prepare: async (w) => ({ path: at('workloads.delete', { namespace: 'default', kind: 'pods', name: (await w.parkedPod()).name }) }),
    expect: user(['builder'], 'not_found'),
  },
  'workloads.logs': {
    prepare: async (w) => ({ path: at('workloads.logs', { namespace: 'default', kind: 'pods', name: w.logPod.name }) }),
    expect: user(['builder'], 'not_found'),
  },

  'events.list': {
    prepare: async (w) => ({ path: at('events.list'), marker: (await w.parkedPod()).id }),
    expect: user(EVERY_USER),
    sees: ['builder'],
  },

  // Only the subnet's owner is admitted to `closed` (invite, no grants).
  'nodes.join': {
    prepare: async (w) => ({ path: at('nodes.join'), body: { subnet: 'closed', name: w.name('joining'), report: dockerReport() } }),
    expect: user(['subnetOwner'], 'not_admitted'),
  },
  'nodes.list': {
    prepare: async (w) => ({ path: at('nodes.list'), marker: (await w.join('s')).id }),
    expect: user(EVERY_USER),
    sees: ['provider', 'subnetOwner'],
  },
  'nodes.get': {
    prepare: async (w) => {
      const n = await w.join('s');
      return { path: at('nodes.get', { node: n.id }), nodeCredential: n.credential };
    },
    expect: user(['provider', 'subnetOwner'], 'not_found', { nodeSelf: 'allow' }),
  },
  'nodes.delete': {
    prepare: async (w) => {
      const n = await w.join('s');
      return { path: at('nodes.delete', { node: n.id }), nodeCredential: n.credential };
    },
    expect: user(['provider', 'subnetOwner'], 'not_found'),
  },
  'nodes.rotate': {
    prepare: async (w) => {
      const n = await w.join('s');
      return { path: at('nodes.rotate', { node: n.id }), nodeCredential: n.credential };
    },
    expect: user(['provider'], 'not_found', { nodeSelf: 'allow' }),
  },
  'nodes.pods': {
    prepare: async (w) => ({ path: at('nodes.pods', { node: w.logNode.id }), nodeCredential: w.logNode.credential }),
    expect: user(['provider'], 'not_found'),
  },
  'nodes.podLogs': {
    prepare: async (w) => ({ path: at('nodes.podLogs', { node: w.logNode.id, pod: w.logPod.id }), nodeCredential: w.logNode.credential }),
    expect: user(['provider'], 'not_found'),
  },
  'nodes.heartbeat': {
    prepare: async (w) => {
      const n = await w.join('s');
      return { path: at('nodes.heartbeat', { node: n.id }), body: {}, nodeCredential: n.credential };
    },
    expect: nodeOnly(),
  },
  'nodes.assignments': {
    prepare: async (w) => {
      const n = await w.join('s');
      return { path: at('nodes.assignments', { node: n.id }), nodeCredential: n.credential };
    },
    expect: nodeOnly(),
  },
  'nodes.podStatus': {
    prepare: async (w) => {
      const n = await w.join('s');
      return { path: at('nodes.podStatus', { node: n.id, pod: w.logPod.id }), body: { attempt: 1, state: 'Running' }, nodeCredential: n.credential };
    },
    expect: nodeOnly(),
  },
  // A log request waits for the node: only that node may answer it.
  'nodes.logStream': {
    prepare: async (w) => {
      w.double.capture = true;
      const waiting = new AbortController();
      const path = at('workloads.logs', { namespace: 'default', kind: 'pods', name: w.logPod.name });
      void rawCall(w.url, { method: 'GET', path, token: w.tokens.builder, timeoutMs: 15_000, signal: waiting.signal }).catch(() => undefined);
      const request = await w.double.nextLogRequest();
      return {
        path: at('nodes.logStream', { node: w.logNode.id, request: request.requestId }),
        body: 'answered\n',
        nodeCredential: w.logNode.credential,
        cleanup: () => {
          waiting.abort();
          w.double.capture = false;
        },
      };
    },
    expect: nodeOnly(),
  },
};
