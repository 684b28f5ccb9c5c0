import type { Command } from 'commander';
import type { App } from '../app.js';
import { addWorkloadFlags, sandboxManifest, type WorkloadFlags } from '../flags/manifest-flags.js';
import { sandboxName } from '../workload/sandbox-name.js';
import { submitWorkload } from '../workload/submit.js';
import { noun } from './noun.js';

interface SandboxOpts extends WorkloadFlags {
  readonly image: string;
  readonly ttl: string;
  readonly name?: string;
}

/** `idyl create sandbox --image IMAGE --ttl DURATION [--name N] [workload flags] [-- CMD ARGS…]`. */
export function registerCreate(program: Command, app: App): void {
  const create = noun(program, 'create', 'create a resource imperatively');
  addWorkloadFlags(
    create
      .command('sandbox')
      .description('create a disposable Sandbox that is deleted when its TTL runs out')
      .argument('[words...]', 'after --: the container args (its command with --command)')
      .requiredOption('--image <image>', 'image reference')
      .requiredOption('--ttl <duration>', 'time to live, e.g. 15m, 2h, 24h')
      .option('--name <name>', 'sandbox name (default: generated from the image, e.g. ubuntu-24-04-sandbox-a1b2c3)'),
  ).action(
    app.action<SandboxOpts, [string[]]>(async (ctx, words) => {
      const s = await ctx.settings();
      const name = ctx.opts.name ?? sandboxName(ctx.opts.image);
      const target = { name, namespace: s.namespace, ...(s.subnet ? { subnet: s.subnet } : {}) };
      return submitWorkload(ctx, sandboxManifest(target, ctx.opts.image, ctx.opts.ttl, ctx.opts, words), 'running');
    }),
  );
}
