import type { Store } from '../store/store.js';
import type { Logger } from '../logger.js';

/** Settings the services need, parsed once at the edge (server config). */
export interface ServiceSettings {
  /** A node with no heartbeat for this long is disconnected. */
  readonly heartbeatTimeoutMs: number;
  /** How often agents are asked to heartbeat. */
  readonly heartbeatIntervalMs: number;
  /** Pods on a node disconnected this long are placed anew elsewhere. */
  readonly nodeLostTimeoutMs: number;
  /** Pending pods one planning round takes at most (default 5,000); a full pass goes on page by page. */
  readonly planPageSize?: number;
}

/** What every service is built from. */
export interface ServiceDeps {
  readonly store: Store;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly settings: ServiceSettings;
  /** Wakes the planner and controllers: something that can change a placement happened. */
  readonly kick: () => void;
}

/** The current time as the ISO text the store keeps. */
export function isoNow(deps: Pick<ServiceDeps, 'now'>): string {
  return deps.now().toISOString();
}
