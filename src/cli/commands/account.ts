import type { Command } from 'commander';
import type { Account, List } from '../../api/wire.js';
import type { App } from '../app.js';
import { age } from '../output/format.js';
import { listOutput, resourceOutput, textOutput, type Column } from '../output/view.js';
import { noun } from './noun.js';

function columns(now: Date): Column<Account>[] {
  return [
    { header: 'ID', value: (a) => a.id },
    { header: 'NAME', value: (a) => a.name },
    { header: 'ROOT', value: (a) => (a.root ? 'yes' : 'no') },
    { header: 'AGE', value: (a) => age(a.createdAt, now) },
  ];
}

/** `idyl account create --name NAME` (root only; prints the new id) and `idyl account get [ID]`. */
export function registerAccount(program: Command, app: App): void {
  const account = noun(program, 'account', 'accounts', ['accounts']);

  account
    .command('create')
    .description('create an account (root account only); prints its 12-digit id')
    .requiredOption('--name <name>', 'display name')
    .action(
      app.action<{ name: string }, []>(async (ctx) => {
        const a = await (await ctx.client()).call<Account>('accounts.create', { body: { name: ctx.opts.name } });
        return textOutput(a, a.id);
      }),
    );

  account
    .command('get')
    .alias('list')
    .description('accounts the identity can see, or one')
    .argument('[id]', '12-digit account id')
    .action(
      app.action<object, [string | undefined]>(async (ctx, id) => {
        const client = await ctx.client();
        const cols = columns(ctx.io.now());
        if (id !== undefined) return resourceOutput(await client.call<Account>('accounts.get', { params: { account: id } }), cols);
        return listOutput((await client.call<List<Account>>('accounts.list')).items, cols, 'No accounts.');
      }),
    );
}
