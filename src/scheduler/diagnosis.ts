import { PROFILE_TABLE, RUNTIME_PROFILES, type RuntimeProfile, type VmmBackend } from '../api/isolation.js';
import type { NodeVerdict, PlacementReason, Unschedulable } from '../api/placement.js';
import { REASON_ORDER } from './chain.js';

/** The diagnosis of a subnet without nodes. */
export const NO_NODES: Unschedulable = Object.freeze({
  summary: '0/0 nodes eligible: the subnet has no nodes',
  reasons: Object.freeze({}),
  nodes: Object.freeze([]),
});

/** Words about what no node in the subnet could ever offer, appended to the summary. */
export interface SubnetShortfall {
  /** The pod's class when no node in the subnet claims a profile that serves it. */
  readonly missingClass?: string;
  /** The allowed backends when nodes serve microvm but none on an allowed backend. */
  readonly missingBackends?: readonly VmmBackend[];
}

/**
 * Builds the `Unschedulable` diagnosis from one verdict per node: reasons counted
 * in descending order (ties in check order), e.g. "0/5 nodes eligible:
 * 3 isolation_class_unsupported, 2 node_disconnected". The unmet requirements are
 * named after their count, and a shortfall of the whole subnet is said in words.
 */
export function buildUnschedulable(verdicts: readonly NodeVerdict[], unmetRequirements: readonly string[], shortfall: SubnetShortfall): Unschedulable {
  if (verdicts.length === 0) return NO_NODES;
  const counts = new Map<PlacementReason, number>();
  for (const v of verdicts) counts.set(v.reason, (counts.get(v.reason) ?? 0) + 1);
  const ordered = [...counts].sort((a, b) => b[1] - a[1] || (REASON_ORDER.get(a[0]) ?? 0) - (REASON_ORDER.get(b[0]) ?? 0));
  const parts = ordered.map(([reason, n]) => (reason === 'requirement_unmet' && unmetRequirements.length ? `${n} ${reason} (${unmetRequirements.join(', ')})` : `${n} ${reason}`));
  const reasons: Partial<Record<PlacementReason, number>> = {};
  for (const [reason, n] of ordered) reasons[reason] = n;
  return Object.freeze({
    summary: `0/${verdicts.length} nodes eligible: ${parts.join(', ')}${shortfallWords(shortfall)}`,
    reasons: Object.freeze(reasons),
    nodes: Object.freeze(verdicts),
  });
}

function shortfallWords(s: SubnetShortfall): string {
  if (s.missingClass !== undefined) {
    const profiles = profilesWhere((p) => PROFILE_TABLE[p].isolationClass === s.missingClass);
    const which = profiles.length ? ` (profiles ${profiles.join(', ')})` : '';
    return `; no node in this subnet runs class ${s.missingClass}${which}`;
  }
  if (s.missingBackends !== undefined) {
    const profiles = profilesWhere((p) => s.missingBackends!.includes(PROFILE_TABLE[p].vmmBackend as VmmBackend));
    return `; no node in this subnet runs class microvm on an allowed backend (${s.missingBackends.join(', ')}: profile ${profiles.join(', ')})`;
  }
  return '';
}

function profilesWhere(pred: (p: RuntimeProfile) => boolean): RuntimeProfile[] {
  return RUNTIME_PROFILES.filter(pred);
}
