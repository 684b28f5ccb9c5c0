import type { Command } from 'commander';
import type { Fleet, List } from '../../api/wire.js';
import type { App } from '../app.js';
import { age } from '../output/format.js';
import { listOutput, resourceOutput, textOutput, type Column } from '../output/view.js';
import { noun } from './noun.js';

function columns(now: Date): Column<Fleet>[] {
  return [
    { header: 'ID', value: (f) => f.id },
    { header: 'NAME', value: (f) => f.name },
    { header: 'ACCOUNT', value: (f) => f.accountId },
    { header: 'AGE', value: (f) => age(f.createdAt, now) },
  ];
}

/** `idyl fleet create --name N | get [ID] | rename ID --name N | delete ID`: provider fleets. */
export function registerFleet(program: Command, app: App): void {
  const fleet = noun(program, 'fleet', 'provider fleets (groups of nodes)', ['fleets']);

  fleet
    .command('create')
    .description('create a fleet')
    .requiredOption('--name <name>', 'display name (can be changed later)')
    .action(
      app.action<{ name: string }, []>(async (ctx) => {
        const f = await (await ctx.client()).call<Fleet>('fleets.create', { body: { name: ctx.opts.name } });
        return resourceOutput(f, columns(ctx.io.now()));
      }),
    );

  fleet
    .command('get')
    .alias('list')
    .description("the account's fleets, or one")
    .argument('[id]', 'fleet id')
    .action(
      app.action<object, [string | undefined]>(async (ctx, id) => {
        const client = await ctx.client();
        const cols = columns(ctx.io.now());
        if (id !== undefined) return resourceOutput(await client.call<Fleet>('fleets.get', { params: { fleet: id } }), cols);
        return listOutput((await client.call<List<Fleet>>('fleets.list')).items, cols, 'No fleets.');
      }),
    );

  fleet
    .command('rename')
    .description("change a fleet's display name (its id stays)")
    .argument('<id>', 'fleet id')
    .requiredOption('--name <name>', 'new display name')
    .action(
      app.action<{ name: string }, [string]>(async (ctx, id) => {
        const f = await (await ctx.client()).call<Fleet>('fleets.rename', { params: { fleet: id }, body: { name: ctx.opts.name } });
        return resourceOutput(f, columns(ctx.io.now()));
      }),
    );

  fleet
    .command('delete')
    .description('delete an empty fleet')
    .argument('<id>', 'fleet id')
    .action(
      app.action<object, [string]>(async (ctx, id) => {
        const answer = await (await ctx.client()).call<unknown>('fleets.delete', { params: { fleet: id } });
        return textOutput(answer ?? { id, deleted: true }, `✓ Fleet ${id} deleted`);
      }),
    );
}
