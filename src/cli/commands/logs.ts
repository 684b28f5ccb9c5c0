import type { Command } from 'commander';
import { IdylError } from '../../api/errors.js';
import type { App } from '../app.js';
import { usageError } from '../cli-error.js';
import { parseKind } from '../workload/kinds.js';

interface LogsOpts {
  readonly follow?: boolean;
  readonly tail?: string;
}

/** Kinds tried in turn for a bare NAME. */
const BARE_NAME_KINDS = ['pods', 'sandboxes', 'deployments'] as const;

/**
 * `idyl logs NAME [-f] [--tail N]`: the workload's output, written to stdout as it
 * comes (in every output format). NAME may be `KIND/NAME`; a bare name is looked up as
 * a pod, then a sandbox, then a deployment.
 */
export function registerLogs(program: Command, app: App): void {
  program
    .command('logs')
    .description("print a workload's output (NAME or KIND/NAME; -f keeps following)")
    .argument('<name>', 'pod name, or KIND/NAME such as deployment/web')
    .option('-f, --follow', 'keep streaming new output until interrupted')
    .option('--tail <lines>', 'only the last LINES lines')
    .action(
      app.action<LogsOpts, [string]>(async (ctx, target) => {
        if (ctx.opts.tail !== undefined && !/^\d+$/.test(ctx.opts.tail)) throw usageError(`--tail expects a number of lines, got "${ctx.opts.tail}"`);
        const slash = target.indexOf('/');
        const kinds = slash > 0 ? [parseKind(target.slice(0, slash)).plural] : [...BARE_NAME_KINDS];
        const name = slash > 0 ? target.slice(slash + 1) : target;
        const s = await ctx.settings();
        const client = await ctx.client();
        const query = { follow: ctx.opts.follow ? 'true' : undefined, tail: ctx.opts.tail };
        for (const [i, kind] of kinds.entries()) {
          let wrote = false;
          try {
            for await (const chunk of client.text('workloads.logs', { params: { namespace: s.namespace, kind, name }, query }, ctx.io.signal)) {
              wrote = true;
              ctx.io.stdout.write(chunk);
            }
            return undefined;
          } catch (err) {
            const another = i < kinds.length - 1;
            if (!wrote && another && err instanceof IdylError && err.code === 'not_found') continue;
            throw err;
          }
        }
        return undefined;
      }),
    );
}
