import type { Filter } from './filter.js';

/** Check 4: the node's profile serves the pod's frozen class (`isolation_class_unsupported`). */
export const isolationClassFilter: Filter = {
  reasons: ['isolation_class_unsupported'],
  check: (node, _load, pod) => (node.isolationClass === pod.isolationClass ? undefined : 'isolation_class_unsupported'),
  detail: (node) => `profile ${node.profile ?? 'unknown'} serves class ${node.isolationClass ?? 'none'}`,
  detailIsPerNode: () => true,
};
