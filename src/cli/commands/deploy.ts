import type { Command } from 'commander';
import type { App } from '../app.js';
import { addWorkloadFlags, deploymentManifest, type WorkloadFlags } from '../flags/manifest-flags.js';
import { submitWorkload } from '../workload/submit.js';

interface DeployOpts extends WorkloadFlags {
  readonly name: string;
  readonly replicas?: string;
}

/** `idyl deploy IMAGE --name N [--replicas K] [workload flags] [-- CMD ARGS…]`: a Deployment (restart always). */
export function registerDeploy(program: Command, app: App): void {
  addWorkloadFlags(
    program
      .command('deploy')
      .description('deploy replicas of a pod (restart always); --wait waits until all replicas run')
      .argument('<image>', 'image reference')
      .argument('[words...]', 'after --: the container args (its command with --command)')
      .requiredOption('--name <name>', 'workload name')
      .option('--replicas <count>', 'how many pods (default: the server default)'),
  ).action(
    app.action<DeployOpts, [string, string[]]>(async (ctx, image, words) => {
      const s = await ctx.settings();
      const target = { name: ctx.opts.name, namespace: s.namespace, ...(s.subnet ? { subnet: s.subnet } : {}) };
      return submitWorkload(ctx, deploymentManifest(target, image, ctx.opts, words, ctx.opts.replicas), 'running');
    }),
  );
}
