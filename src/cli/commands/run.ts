import type { Command } from 'commander';
import type { App } from '../app.js';
import { addWorkloadFlags, podManifest, type WorkloadFlags } from '../flags/manifest-flags.js';
import { submitWorkload } from '../workload/submit.js';

interface RunOpts extends WorkloadFlags {
  readonly name: string;
}

/** `idyl run IMAGE --name N [workload flags] [-- CMD ARGS…]`: a Pod that is not restarted; `--wait` waits for it to end. */
export function registerRun(program: Command, app: App): void {
  addWorkloadFlags(
    program
      .command('run')
      .description('run a pod once (restart never); --wait waits until it ends and exits 0 only if it succeeded')
      .argument('<image>', 'image reference, e.g. 127.0.0.1:5000/idyl/busybox:1.35')
      .argument('[words...]', 'after --: the container args (its command with --command)')
      .requiredOption('--name <name>', 'workload name'),
  ).action(
    app.action<RunOpts, [string, string[]]>(async (ctx, image, words) => {
      const s = await ctx.settings();
      const manifest = podManifest({ name: ctx.opts.name, namespace: s.namespace, ...(s.subnet ? { subnet: s.subnet } : {}) }, image, ctx.opts, words);
      return submitWorkload(ctx, manifest, 'ended');
    }),
  );
}
