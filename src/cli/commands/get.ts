import type { Command } from 'commander';
import type { List } from '../../api/wire.js';
import type { Workload } from '../../api/workload.js';
import type { App } from '../app.js';
import { listOutput, resourceOutput } from '../output/view.js';
import { KIND_WORDS, parseKind } from '../workload/kinds.js';
import { workloadColumns } from '../workload/views.js';

/** `idyl get KIND [NAME]`: workloads of one kind in the namespace, or one of them. */
export function registerGet(program: Command, app: App): void {
  program
    .command('get')
    .description(`list workloads of a kind, or show one (kinds: ${KIND_WORDS.join(', ')}; singular works too)`)
    .argument('<kind>', 'pods, deployments, sandboxes, ...')
    .argument('[name]', 'one workload')
    .action(
      app.action<object, [string, string | undefined]>(async (ctx, kindWord, name) => {
        const kind = parseKind(kindWord);
        const s = await ctx.settings();
        const client = await ctx.client();
        const columns = workloadColumns(kind.plural, ctx.io.now());
        if (name !== undefined) {
          const w = await client.call<Workload>('workloads.get', { params: { namespace: s.namespace, kind: kind.plural, name } });
          return resourceOutput(w, columns);
        }
        const list = await client.call<List<Workload>>('workloads.list', { params: { namespace: s.namespace, kind: kind.plural } });
        return listOutput(list.items, columns, `No ${kind.plural} found in namespace ${s.namespace}.`);
      }),
    );
}
