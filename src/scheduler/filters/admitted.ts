import type { Filter } from './filter.js';

/** Check 1: the subnet admitted the node as provider capacity (`node_not_admitted`). */
export const admittedFilter: Filter = {
  reasons: ['node_not_admitted'],
  check: (node) => (node.admitted ? undefined : 'node_not_admitted'),
  detail: () => 'the subnet has not admitted this node as provider capacity',
  detailIsPerNode: () => true,
};
