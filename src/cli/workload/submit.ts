import { parseDuration } from '../../api/quantity.js';
import type { Workload } from '../../api/workload.js';
import type { CommandContext } from '../app.js';
import { usageError } from '../cli-error.js';
import type { ManifestBody, WorkloadFlags } from '../flags/manifest-flags.js';
import type { CommandOutput } from '../output/view.js';
import { pluralOfKind } from './kinds.js';
import { changedText } from './views.js';
import { waitFor } from './wait.js';

/** `--timeout` in milliseconds; a malformed duration is a usage error (checked before anything is sent). */
export function timeoutOf(flags: WorkloadFlags): number {
  const parsed = parseDuration(flags.timeout ?? '2m', '--timeout');
  if (!parsed.ok) throw usageError(parsed.error.message, '--timeout 90s, 5m or 1h');
  return parsed.value;
}

/**
 * Creates the workload `manifest` describes and, with `--wait`, follows it until it
 * runs (`until: 'running'`) or ends (`until: 'ended'`). Returns what the writer shows:
 * the workload as the server last reported it.
 */
export async function submitWorkload(
  ctx: CommandContext<WorkloadFlags>,
  manifest: ManifestBody,
  until: 'running' | 'ended',
): Promise<CommandOutput> {
  const timeoutMs = ctx.opts.wait ? timeoutOf(ctx.opts) : 0;
  const client = await ctx.client();
  const answer = await client.call<Workload | { workload: Workload }>('workloads.create', {
    params: { namespace: manifest.metadata.namespace },
    body: manifest,
  });
  let workload = 'workload' in answer ? answer.workload : answer;
  if (ctx.opts.wait) {
    workload = await waitFor(
      client,
      { namespace: manifest.metadata.namespace, plural: pluralOfKind(manifest.kind), name: workload.metadata?.name ?? manifest.metadata.name },
      { until, timeoutMs, signal: ctx.io.signal, progress: ctx.progress() },
    );
  }
  return { data: workload, view: { kind: 'text', text: changedText(workload, 'created') } };
}
