import type { EventRecord } from '../../api/event.js';

/** What the events since the planner's last look mean for the pods still waiting. */
export interface Changes {
  /** New pods to place: their ids. */
  readonly fresh: readonly string[];
  /**
   * Something changed that can make a waiting pod placeable, or unplaceable where it was
   * placeable (nodes, capacity, policy, admission, a placement made elsewhere): every
   * pending pod must be looked at again over a fresh snapshot.
   */
  readonly world: boolean;
}

/** Events that change no node, capacity, policy or admission: a pod's own progress. */
const QUIET = new Set(['pod.pulling', 'pod.running', 'pod.assigned', 'workload.unschedulable', 'account.created', 'fleet.created', 'fleet.renamed']);

/** Audit actions that decide nothing a placement depends on. */
const QUIET_AUDIT = /^(token\.|route\.|pod\.logs\.|node\.credential\.)/;

/**
 * Reads the event log since the last round: new pods are fresh; the planner's own
 * placements (`placedHere`) and a pod's progress are quiet; anything else, and any
 * event this function does not know, is a change of the world. Unknown means look
 * again, so a new event type can cost a round but never a missed placement.
 */
export function classifyChanges(events: readonly EventRecord[], placedHere: ReadonlySet<string>): Changes {
  const fresh: string[] = [];
  let world = false;
  for (const e of events) {
    if (e.type === 'workload.created') {
      if (e.subject.kind === 'Pod') fresh.push(e.subject.id);
    } else if (e.type === 'workload.scheduled') {
      if (!placedHere.has(e.subject.id)) world = true;
    } else if (e.type === 'audit') {
      const action = typeof e.data?.action === 'string' ? e.data.action : '';
      if (e.data?.allowed !== false && !QUIET_AUDIT.test(action)) world = true;
    } else if (!QUIET.has(e.type)) {
      world = true;
    }
  }
  return { fresh, world };
}
