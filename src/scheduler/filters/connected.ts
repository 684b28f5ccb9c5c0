import type { Filter } from './filter.js';

/** Check 2: the node heartbeats within the timeout (`node_disconnected`). */
export const connectedFilter: Filter = {
  reasons: ['node_disconnected'],
  check: (node) => (node.connected ? undefined : 'node_disconnected'),
  detail: () => 'no heartbeat from the node within the timeout',
  detailIsPerNode: () => true,
};
