import type { Command } from 'commander';
import type { Whoami } from '../../api/wire.js';
import type { App } from '../app.js';
import { textOutput } from '../output/view.js';

/** `idyl whoami`: the account and identity of the token, and the namespace, subnet and realm in use. */
export function registerWhoami(program: Command, app: App): void {
  program
    .command('whoami')
    .description('account, identity, namespace, subnet and realm of the current context')
    .action(
      app.action<object, []>(async (ctx) => {
        const s = await ctx.settings();
        const who = await (await ctx.client()).call<Whoami>('whoami');
        // The server answers for the account the call acts in (-a or the context's).
        const data = { ...who, namespace: s.namespace, subnet: s.subnet ?? null, realm: s.realm, context: s.contextName ?? null };
        const lines = [
          `account:    ${data.accountId}${who.accountName ? ` "${who.accountName}"` : ''}${who.root ? ' (root account)' : ''}`,
          `identity:   ${who.identity.name} (${who.identity.kind} ${who.identity.id})`,
          `namespace:  ${s.namespace}`,
          `subnet:     ${s.subnet ?? '-'}`,
          `realm:      ${s.realm}`,
          `context:    ${s.contextName ?? '-'}`,
        ];
        return textOutput(data, lines.join('\n'));
      }),
    );
}
