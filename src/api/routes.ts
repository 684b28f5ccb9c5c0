import type { TSchema } from '@sinclair/typebox';
import { IdylError } from './errors.js';
import {
  AdmissionGrantSchema,
  AdmissionModeSchema,
  CreateAccountSchema,
  CreateSubnetSchema,
  CreateTokenSchema,
  EditSubnetSchema,
  EventsQuerySchema,
  FleetSchema,
  HeartbeatSchema,
  JoinNodeSchema,
  PodStatusReportSchema,
} from './schemas/requests.js';

/**
 * Who may call a route:
 * - `public`: anyone (health only);
 * - `user`: any valid user token (what it may touch is decided per resource);
 * - `root`: a token of the root account;
 * - `node`: the credential of the node named in the path, nothing else;
 * - `user-or-node`: a user token, or the credential of the node named in the path.
 */
export type RouteAuth = 'public' | 'user' | 'root' | 'node' | 'user-or-node';

/** One HTTP route: the server serves it, the client calls it, the authz test walks it. */
export interface RouteDef {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express-style path; `:name` segments are parameters. */
  readonly path: string;
  readonly auth: RouteAuth;
  readonly summary: string;
  /** Schema of the JSON body; absent = no body accepted. Workload manifests are checked per kind. */
  readonly body?: TSchema | 'manifest' | 'stream';
  readonly query?: TSchema;
  /** The response is a stream (NDJSON or raw text) rather than one JSON document. */
  readonly stream?: 'ndjson' | 'text';
}

/** Every route of the API, by id. Adding one without an authz matrix entry fails a test. */
export const ROUTES = {
  healthz: { method: 'GET', path: '/healthz', auth: 'public', summary: 'Liveness: 200 while the server serves.' },
  openapi: { method: 'GET', path: '/openapi.json', auth: 'user', summary: 'This API as an OpenAPI 3.1 document.' },
  whoami: { method: 'GET', path: '/v1/whoami', auth: 'user', summary: 'The account and identity of the token.' },

  'accounts.create': { method: 'POST', path: '/v1/accounts', auth: 'root', body: CreateAccountSchema, summary: 'Create an account (root only).' },
  'accounts.list': { method: 'GET', path: '/v1/accounts', auth: 'user', summary: 'Accounts the identity can see.' },
  'accounts.get': { method: 'GET', path: '/v1/accounts/:account', auth: 'user', summary: 'One account.' },

  'tokens.create': { method: 'POST', path: '/v1/tokens', auth: 'user', body: CreateTokenSchema, summary: 'Create a personal access token; the secret is shown once.' },
  'tokens.list': { method: 'GET', path: '/v1/tokens', auth: 'user', summary: "The identity's tokens, without secrets." },
  'tokens.revoke': { method: 'DELETE', path: '/v1/tokens/:token', auth: 'user', summary: 'Revoke a token.' },

  'subnets.create': { method: 'POST', path: '/v1/subnets', auth: 'user', body: CreateSubnetSchema, summary: 'Create a subnet owned by the account.' },
  'subnets.list': { method: 'GET', path: '/v1/subnets', auth: 'user', summary: 'Subnets the account manages.' },
  'subnets.get': { method: 'GET', path: '/v1/subnets/:subnet', auth: 'user', summary: 'One subnet, by slug or bound name.' },
  'subnets.edit': { method: 'PATCH', path: '/v1/subnets/:subnet', auth: 'user', body: EditSubnetSchema, summary: 'Change the runtime policy; answers with the affected workloads.' },
  'subnets.delete': { method: 'DELETE', path: '/v1/subnets/:subnet', auth: 'user', summary: 'Delete a subnet without live workloads.' },
  'subnets.approve': { method: 'PUT', path: '/v1/approvals/:subnet', auth: 'user', summary: "Approve a subnet for the account's deploys." },
  'subnets.unapprove': { method: 'DELETE', path: '/v1/approvals/:subnet', auth: 'user', summary: 'Remove that approval.' },
  'approvals.list': { method: 'GET', path: '/v1/approvals', auth: 'user', summary: 'Subnets the account approved.' },

  'admission.get': { method: 'GET', path: '/v1/subnets/:subnet/admission', auth: 'user', summary: 'Admission modes, grants and requests.' },
  'admission.set': { method: 'PUT', path: '/v1/subnets/:subnet/admission/:type', auth: 'user', body: AdmissionModeSchema, summary: 'Set the developer or provider admission mode.' },
  'admission.grant': { method: 'POST', path: '/v1/subnets/:subnet/admission/grants', auth: 'user', body: AdmissionGrantSchema, summary: 'Grant admission to an account, fleet or node.' },
  'admission.revoke': { method: 'DELETE', path: '/v1/subnets/:subnet/admission/grants/:kind/:id', auth: 'user', summary: 'Revoke a grant (kind: account, fleet, node).' },

  'fleets.create': { method: 'POST', path: '/v1/fleets', auth: 'user', body: FleetSchema, summary: 'Create a provider fleet.' },
  'fleets.list': { method: 'GET', path: '/v1/fleets', auth: 'user', summary: "The account's fleets." },
  'fleets.get': { method: 'GET', path: '/v1/fleets/:fleet', auth: 'user', summary: 'One fleet.' },
  'fleets.rename': { method: 'PATCH', path: '/v1/fleets/:fleet', auth: 'user', body: FleetSchema, summary: 'Rename a fleet.' },
  'fleets.delete': { method: 'DELETE', path: '/v1/fleets/:fleet', auth: 'user', summary: 'Delete an empty fleet.' },

  'workloads.create': { method: 'POST', path: '/v1/namespaces/:namespace/workloads', auth: 'user', body: 'manifest', summary: 'Create a workload from a manifest.' },
  'workloads.apply': { method: 'PUT', path: '/v1/namespaces/:namespace/workloads/:kind/:name', auth: 'user', body: 'manifest', summary: 'Create or update a workload (idyl apply).' },
  'workloads.list': { method: 'GET', path: '/v1/namespaces/:namespace/workloads/:kind', auth: 'user', summary: 'Workloads of one kind in the namespace.' },
  'workloads.get': { method: 'GET', path: '/v1/namespaces/:namespace/workloads/:kind/:name', auth: 'user', summary: 'One workload with its status.' },
  'workloads.delete': { method: 'DELETE', path: '/v1/namespaces/:namespace/workloads/:kind/:name', auth: 'user', summary: 'Stop and remove a workload.' },
  'workloads.logs': { method: 'GET', path: '/v1/namespaces/:namespace/workloads/:kind/:name/logs', auth: 'user', stream: 'text', summary: "A pod's output, from its node." },

  'events.list': { method: 'GET', path: '/v1/events', auth: 'user', query: EventsQuerySchema, summary: "The account's event log; follow=true streams NDJSON from `since`." },

  'nodes.join': { method: 'POST', path: '/v1/nodes', auth: 'user', body: JoinNodeSchema, summary: 'Register a node with its host-verified capability report.' },
  'nodes.list': { method: 'GET', path: '/v1/nodes', auth: 'user', summary: 'Nodes the account provides, or of subnets it owns.' },
  'nodes.get': { method: 'GET', path: '/v1/nodes/:node', auth: 'user-or-node', summary: 'One node.' },
  'nodes.delete': { method: 'DELETE', path: '/v1/nodes/:node', auth: 'user', summary: 'Remove a node and revoke its credential.' },
  'nodes.rotate': { method: 'POST', path: '/v1/nodes/:node/credential', auth: 'user-or-node', summary: "Rotate the node's credential." },
  'nodes.pods': { method: 'GET', path: '/v1/nodes/:node/pods', auth: 'user', summary: "The provider's view of the pods on its node: name, image, class, state; env only where the owner shares it." },
  'nodes.podLogs': { method: 'GET', path: '/v1/nodes/:node/pods/:pod/logs', auth: 'user', stream: 'text', summary: "A pod's output for the node's provider, when the pod's owner shares its logs." },
  'nodes.heartbeat': { method: 'POST', path: '/v1/nodes/:node/heartbeat', auth: 'node', body: HeartbeatSchema, summary: 'Heartbeat, with the capability report when it changed.' },
  'nodes.assignments': { method: 'GET', path: '/v1/nodes/:node/assignments', auth: 'node', stream: 'ndjson', summary: "The node's assignment stream; `since` resumes." },
  'nodes.podStatus': { method: 'POST', path: '/v1/nodes/:node/pods/:pod/status', auth: 'node', body: PodStatusReportSchema, summary: 'Report the state of an assigned pod.' },
  'nodes.logStream': { method: 'POST', path: '/v1/nodes/:node/log-streams/:request', auth: 'node', body: 'stream', summary: 'The agent sends the output a log request asked for.' },
} as const satisfies Record<string, RouteDef>;

export type RouteId = keyof typeof ROUTES;

/** Fills a route's path parameters: `pathFor('subnets.get', {subnet: 'x'})`. */
export function pathFor(id: RouteId, params: Readonly<Record<string, string>> = {}): string {
  return ROUTES[id].path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`pathFor(${id}): missing parameter ${name}`);
    // A URL resolves `.` and `..` segments (encoded or not) before sending: the call
    // would reach another route. Such a value is a name nowhere in the API.
    if (v === '.' || v === '..') throw new IdylError('validation_failed', `${name}: "${v}" is not a name`, { field: name });
    return encodeURIComponent(v);
  });
}
