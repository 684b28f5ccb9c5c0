import { requirementMet, type Requirement } from '../../policy/requirement.js';
import type { NodeFacts } from '../node-facts.js';
import type { PodFacts } from '../pod-facts.js';
import type { Filter } from './filter.js';

/** The first of the pod's requirements (in key order) the node does not meet. */
export function firstUnmetRequirement(node: NodeFacts, pod: PodFacts): Requirement | undefined {
  for (const r of pod.requirements) {
    if (!requirementMet(r, node.parsedAttributes.get(r.key))) return r;
  }
  return undefined;
}

/**
 * Check 9: the node meets every `require` entry (`requirement_unmet`; the detail
 * names the requirement, field case 6). A `require` map that does not parse is
 * met by no node: fail closed.
 */
export const requirementsFilter: Filter = {
  reasons: ['requirement_unmet'],
  check: (node, _load, pod) => {
    if (pod.requirementError !== undefined) return 'requirement_unmet';
    if (pod.requirements.length === 0) return undefined;
    return firstUnmetRequirement(node, pod) === undefined ? undefined : 'requirement_unmet';
  },
  detail: (node, _load, pod) => {
    if (pod.requirementError !== undefined) return `the requirements do not parse: ${pod.requirementError}`;
    const r = firstUnmetRequirement(node, pod);
    if (r === undefined) return 'requirement unmet';
    const has = node.attributes[r.key];
    return has === undefined ? `requires ${r.text}; the node does not report ${r.key}` : `requires ${r.text}; the node has ${r.key} ${has}`;
  },
  detailIsPerNode: () => false,
};
