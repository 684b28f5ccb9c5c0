import type { ServerResponse } from 'node:http';
import type { PodStatusReport } from '../../api/schemas/requests.js';
import type { EventBus } from '../event-bus.js';
import { AccountsService } from './accounts.js';
import { AdmissionService } from './admission.js';
import type { ServiceDeps } from './deps.js';
import { EventsService } from './events.js';
import { FleetsService } from './fleets.js';
import { streamAssignments } from './nodes/assignment-stream.js';
import { LogRelay } from './nodes/log-relay.js';
import { NodesService } from './nodes/nodes-service.js';
import { ProviderViewService } from './nodes/provider-view.js';
import { applyPodReport } from './nodes/pod-status.js';
import { SubnetsService } from './subnets.js';
import { WorkloadsService } from './workloads/workloads-service.js';

/** Every service of the control plane, built from one set of dependencies. */
export interface Services {
  readonly accounts: AccountsService;
  readonly subnets: SubnetsService;
  readonly admission: AdmissionService;
  readonly fleets: FleetsService;
  readonly workloads: WorkloadsService;
  readonly nodes: NodesService;
  readonly provider: ProviderViewService;
  readonly events: EventsService;
  readonly relay: LogRelay;
  streamAssignments(nodeId: string, since: number, res: ServerResponse, signal: AbortSignal, tokenId: string): Promise<void>;
  podReport(nodeId: string, podId: string, report: PodStatusReport): Promise<{ applied: boolean }>;
}

/** Wires the services together. */
export function buildServices(deps: ServiceDeps, bus: EventBus): Services {
  const relay = new LogRelay();
  return {
    accounts: new AccountsService(deps),
    subnets: new SubnetsService(deps),
    admission: new AdmissionService(deps),
    fleets: new FleetsService(deps),
    workloads: new WorkloadsService(deps),
    nodes: new NodesService(deps),
    provider: new ProviderViewService(deps),
    events: new EventsService(deps, bus),
    relay,
    streamAssignments: (nodeId, since, res, signal, tokenId) => streamAssignments(deps, bus, relay, nodeId, since, res, signal, tokenId),
    podReport: (nodeId, podId, report) => applyPodReport(deps, nodeId, podId, report),
  };
}
