import { setTimeout as sleep } from 'node:timers/promises';
import { IdylError } from '../../api/errors.js';
import { NODE_FAILURE_REASONS, type Unschedulable } from '../../api/placement.js';
import type { List } from '../../api/wire.js';
import type { Workload } from '../../api/workload.js';
import type { ApiClient } from '../../client/api-client.js';
import { CliError } from '../cli-error.js';
import type { Progress } from '../output/progress.js';

/** The workload to follow. */
export interface WaitTarget {
  readonly namespace: string;
  /** Path plural: `pods`, `deployments`, `sandboxes`. */
  readonly plural: string;
  readonly name: string;
}

/** How to follow it. */
export interface WaitOptions {
  /** `running`: until it runs (Deployment: all replicas); `ended`: until its pod ends. */
  readonly until: 'running' | 'ended';
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly progress: Progress;
  /** First pause between two reads of the workload (default 250 ms); it grows to at most 2 s. */
  readonly pollMs?: number;
}

/** The stage people see: Accepted → Scheduled → Pulling → Running (→ Succeeded/Failed). */
export function stageOf(w: Workload): { readonly name: string; readonly detail?: string } {
  const s = w.status;
  if (s.phase === 'Succeeded' || s.phase === 'Failed') return { name: s.phase };
  if (s.replicas) return s.replicas.running > 0 ? { name: 'Running', detail: `${s.replicas.running}/${s.replicas.desired}` } : { name: 'Accepted' };
  if (s.phase === 'Running') return { name: 'Running' };
  if (s.container?.state === 'Pulling') return { name: 'Pulling' };
  if (s.container?.state === 'Creating') return { name: 'Creating' };
  if (s.placement) return { name: 'Scheduled', detail: s.placement.nodeName || s.placement.node };
  return { name: 'Accepted' };
}

function isDone(w: Workload, until: WaitOptions['until']): boolean {
  const s = w.status;
  if (until === 'ended') return s.phase === 'Succeeded';
  if (s.replicas) {
    const desired = s.replicas.desired;
    return s.replicas.running >= desired;
  }
  return s.phase === 'Running' || s.phase === 'Succeeded';
}

function failure(w: Workload): CliError {
  const s = w.status;
  const reason = s.reason ?? s.container?.reason;
  const exit = s.container?.exitCode;
  const code = reason && (NODE_FAILURE_REASONS as readonly string[]).includes(reason) ? reason : 'workload_failed';
  const what = `${w.kind} ${w.metadata.name} failed`;
  const said = s.message ?? reason;
  // The server's message often says it already ("exited with code 3").
  const exitNote = exit !== undefined && !(said ?? '').includes(`code ${exit}`) ? `exit code ${exit}` : undefined;
  const why = [said, exitNote].filter(Boolean).join('; ');
  return new CliError(code, why ? `${what}: ${why}` : what, {
    phase: s.phase,
    ...(reason ? { reason } : {}),
    ...(exit !== undefined ? { exitCode: exit } : {}),
    hint: `idyl describe ${w.kind.toLowerCase()} ${w.metadata.name}; idyl logs ${w.metadata.name}`,
  });
}

/** The placement diagnosis of `w`, or of the first pending pod it owns. */
async function diagnosis(client: ApiClient, t: WaitTarget, w: Workload): Promise<Unschedulable | undefined> {
  if (w.status.unschedulable) return w.status.unschedulable;
  if (t.plural === 'pods') return undefined;
  const pods = await client.call<List<Workload>>('workloads.list', { params: { namespace: t.namespace, kind: 'pods' } }).catch(() => undefined);
  const owned = pods?.items.find((p) => p.status.unschedulable && p.metadata.ownerReferences?.some((o) => o.id === w.metadata.id || o.name === w.metadata.name));
  return owned?.status.unschedulable;
}

/** A --timeout as people wrote it: `300ms`, `45s`, `2m`, `1h30m`. */
function spelled(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60 || s % 60 !== 0) return `${s}s`;
  const m = s / 60;
  return m < 60 || m % 60 !== 0 ? `${m}m` : `${m / 60}h`;
}

/**
 * Reads the workload until it is done (see `until`), showing each new stage. A failed
 * workload throws its reason; running out of time throws `unschedulable` with the
 * placement diagnosis when it was never placed, else `wait_timeout`. Ctrl-C throws
 * `interrupted`. Brief `unavailable` answers are retried until the deadline.
 */
export async function waitFor(client: ApiClient, t: WaitTarget, opts: WaitOptions): Promise<Workload> {
  const deadline = Date.now() + opts.timeoutMs;
  let pollMs = opts.pollMs ?? 250;
  let last: Workload | undefined;
  try {
    for (;;) {
      try {
        last = await client.call<Workload>('workloads.get', { params: { namespace: t.namespace, kind: t.plural, name: t.name } }, opts.signal);
      } catch (err) {
        if (!(err instanceof IdylError && err.code === 'unavailable') || Date.now() >= deadline) throw err;
      }
      if (last) {
        const stage = stageOf(last);
        opts.progress.stage(stage.name, stage.detail);
        if (last.status.phase === 'Failed') throw failure(last);
        if (isDone(last, opts.until)) return last;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(pollMs, left), undefined, { signal: opts.signal });
      pollMs = Math.min(pollMs * 1.5, 2000);
    }
    const seconds = spelled(opts.timeoutMs);
    const unsched = last ? await diagnosis(client, t, last) : undefined;
    if (unsched) {
      throw new IdylError('unschedulable', `${t.name} could not be placed within ${seconds}: ${unsched.summary}`, {
        summary: unsched.summary,
        reasons: unsched.reasons,
        nodes: unsched.nodes,
        hint: `idyl describe ${t.plural} ${t.name} shows the diagnosis; idyl node get shows the nodes`,
      });
    }
    const stage = last ? stageOf(last) : { name: 'unknown' };
    throw new CliError('wait_timeout', `${t.name} is not ${opts.until === 'ended' ? 'finished' : 'running'} after ${seconds} (stage: ${stage.name})`, {
      stage: stage.name,
      hint: `idyl describe ${t.plural} ${t.name}; a longer --timeout`,
    });
  } catch (err) {
    if (opts.signal.aborted) throw new CliError('interrupted', `stopped waiting for ${t.name}; it carries on`);
    throw err;
  } finally {
    opts.progress.end();
  }
}
