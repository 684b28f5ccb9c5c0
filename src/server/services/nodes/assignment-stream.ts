import type { ServerResponse } from 'node:http';
import type { Assignment, AssignmentMessage } from '../../../api/wire.js';
import { tokenStillValid } from '../../auth/authenticate.js';
import type { EventBus } from '../../event-bus.js';
import { startNdjson } from '../../http/respond.js';
import type { ServiceDeps } from '../deps.js';
import { assignmentOf, startedOnNode } from '../workloads/pod-rows.js';
import type { LogRelay } from './log-relay.js';

const NODE_EVENT_TYPES = ['pod.assigned', 'pod.unassigned'];
const PING_MS = 15_000;

/**
 * Streams a node's assignments as NDJSON. From revision 0 it starts with a snapshot
 * of every pod bound to the node; from `since` it replays what changed after it, so
 * an agent that reconnects misses nothing. Then it follows the log until the agent
 * goes away, the server stops, or the credential it was opened with is revoked
 * (rotated, or the node removed): then it ends, and the agent must reconnect with
 * its new credential.
 */
export async function streamAssignments(deps: ServiceDeps, bus: EventBus, relay: LogRelay, nodeId: string, since: number, res: ServerResponse, signal: AbortSignal, tokenId: string): Promise<void> {
  const write = startNdjson(res);
  const queue: AssignmentMessage[] = [];
  let wake: (() => void) | undefined;
  const detach = relay.attach(nodeId, (m) => {
    queue.push(m);
    wake?.();
  });
  try {
    let last = since;
    if (since <= 0) {
      // Revision first, pods second: an assignment committed in between is sent twice, never missed.
      last = await deps.store.read.events.latestRevision();
      const pods = await deps.store.read.workloads.list({ nodeId, includeDeleting: false });
      const assignments = pods.flatMap((p) => {
        const a = assignmentOf(p);
        if (!a) return [];
        if (p.phase === 'Succeeded' || p.phase === 'Failed') return [{ ...a, finished: true }];
        return startedOnNode(p) ? [{ ...a, started: true, restartCount: p.status.container?.restartCount ?? 0 }] : [a];
      });
      await write({ type: 'snapshot', revision: last, assignments });
      // Pods being deleted wait for the node to confirm their removal.
      for (const p of await deps.store.read.workloads.list({ nodeId, includeDeleting: true })) {
        if (p.deletedAt) await write({ type: 'unassign', revision: last, podId: p.id, attempt: p.attempt, reason: 'deleted' });
      }
    }
    while (!signal.aborted) {
      if (!(await tokenStillValid(deps.store, tokenId, deps.now()))) break;
      // Note the bus before reading: anything committed meanwhile wakes the wait at once.
      const seen = bus.revision;
      const events = await deps.store.read.events.listSince({ nodeId, types: NODE_EVENT_TYPES }, last, 500);
      for (const e of events) {
        last = e.revision;
        const data = (e.data ?? {}) as { assignment?: Assignment; podId?: string; attempt?: number; reason?: string };
        if (e.type === 'pod.assigned' && data.assignment) await write({ type: 'assign', revision: e.revision, assignment: data.assignment });
        else if (e.type === 'pod.unassigned') await write({ type: 'unassign', revision: e.revision, podId: data.podId ?? e.subject.id, attempt: data.attempt ?? 0, reason: data.reason ?? '' });
      }
      if (events.length === 500) continue;
      while (queue.length) await write(queue.shift() as AssignmentMessage);
      const timedOut = await Promise.race([
        bus.wait(seen, PING_MS, signal).then(() => bus.revision <= seen),
        new Promise<boolean>((r) => (wake = () => r(false))),
      ]);
      wake = undefined;
      if (timedOut && !signal.aborted) await write({ type: 'ping', revision: Math.max(last, seen) });
    }
  } finally {
    detach();
    if (!res.writableEnded) res.end();
  }
}
