import type { Command } from 'commander';
import type { App } from '../app.js';
import { textOutput } from '../output/view.js';
import { parseKind } from '../workload/kinds.js';

/** `idyl delete KIND NAME`: stops and removes a workload. */
export function registerDelete(program: Command, app: App): void {
  program
    .command('delete')
    .description('stop and remove a workload')
    .argument('<kind>', 'pods, deployments, sandboxes, ...')
    .argument('<name>', 'workload name')
    .action(
      app.action<object, [string, string]>(async (ctx, kindWord, name) => {
        const kind = parseKind(kindWord);
        const s = await ctx.settings();
        const client = await ctx.client();
        const answer = await client.call<unknown>('workloads.delete', { params: { namespace: s.namespace, kind: kind.plural, name } });
        return textOutput(answer ?? { kind: kind.kind, name, namespace: s.namespace, deleted: true }, `✓ ${kind.kind} ${name} deleted`);
      }),
    );
}
