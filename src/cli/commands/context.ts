import type { Command } from 'commander';
import { IdylError } from '../../api/errors.js';
import type { App, CommandContext } from '../app.js';
import { usageError } from '../cli-error.js';
import { loadConfig, saveConfig, type CliConfig, type StoredContext } from '../config/config-store.js';
import { homedirOf } from '../config/settings.js';
import { listOutput, textOutput } from '../output/view.js';
import { parseNamespaceFlag } from '../flags/global-flags.js';

/** A context as shown: never the token itself, only its last four characters. */
function shown(name: string, c: StoredContext, current: boolean): Record<string, unknown> {
  return {
    name,
    current,
    realm: c.realm,
    accountId: c.accountId ?? null,
    namespace: c.namespace ?? 'default',
    subnet: c.subnet ?? null,
    token: c.token ? `…${c.token.slice(-4)}` : null,
    ...(c.tls ? { tls: c.tls } : {}),
    ...(c.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
  };
}

function missing(name: string | undefined): IdylError {
  return name
    ? new IdylError('not_found', `no context named "${name}"`, { hint: 'idyl context list shows the saved contexts' })
    : new IdylError('not_found', 'no current context', { hint: 'idyl login --realm URL --token TOKEN saves one' });
}

async function load(ctx: CommandContext<unknown>): Promise<{ homedir: string; config: CliConfig }> {
  const homedir = homedirOf(ctx.flags, ctx.io.home);
  return { homedir, config: await loadConfig(homedir) };
}

/** `idyl context show|list|use NAME|edit --set-namespace N --set-subnet S|delete NAME`. */
export function registerContext(program: Command, app: App): void {
  const context = program.command('context').alias('contexts').description('saved CLI contexts (realm, token, account, namespace, subnet)');

  context
    .command('show')
    .description('the current context (or the one -c names)')
    .action(
      app.action<object, []>(async (ctx) => {
        const { config } = await load(ctx);
        const name = ctx.flags.context ?? config.currentContext;
        const c = name !== undefined ? config.contexts[name] : undefined;
        if (!c || name === undefined) throw missing(ctx.flags.context);
        const data = shown(name, c, name === config.currentContext);
        const text = Object.entries(data)
          .filter(([k]) => k !== 'current')
          .map(([k, v]) => `${`${k}:`.padEnd(12)}${v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
          .join('\n');
        return textOutput(data, text);
      }),
    );

  context
    .command('list')
    .alias('get')
    .description('every saved context; * marks the current one')
    .action(
      app.action<object, []>(async (ctx) => {
        const { config } = await load(ctx);
        const items = Object.entries(config.contexts).map(([n, c]) => shown(n, c, n === config.currentContext));
        return listOutput(
          items,
          [
            { header: 'CURRENT', value: (c) => (c.current ? '*' : '') },
            { header: 'NAME', value: (c) => String(c.name) },
            { header: 'REALM', value: (c) => String(c.realm) },
            { header: 'ACCOUNT', value: (c) => String(c.accountId ?? '-') },
            { header: 'NAMESPACE', value: (c) => String(c.namespace) },
            { header: 'SUBNET', value: (c) => String(c.subnet ?? '-') },
          ],
          'No contexts; idyl login --realm URL --token TOKEN saves one.',
        );
      }),
    );

  context
    .command('use')
    .description('make a context current')
    .argument('<name>', 'context name')
    .action(
      app.action<object, [string]>(async (ctx, name) => {
        const { homedir, config } = await load(ctx);
        const c = config.contexts[name];
        if (!c) throw missing(name);
        await saveConfig(homedir, { ...config, currentContext: name });
        return textOutput(shown(name, c, true), `✓ Context ${name} is now current (${c.realm})`);
      }),
    );

  context
    .command('edit')
    .description('change the namespace or subnet saved in the current context (or the one -c names)')
    .option('--set-namespace <namespace>', 'default namespace for workload commands', parseNamespaceFlag)
    .option('--set-subnet <subnet>', 'default subnet (an empty value removes it)')
    .action(
      app.action<{ setNamespace?: string; setSubnet?: string }, []>(async (ctx) => {
        const { setNamespace, setSubnet } = ctx.opts;
        if (setNamespace === undefined && setSubnet === undefined) throw usageError('nothing to change: give --set-namespace or --set-subnet');
        const { homedir, config } = await load(ctx);
        const name = ctx.flags.context ?? config.currentContext;
        const c = name !== undefined ? config.contexts[name] : undefined;
        if (!c || name === undefined) throw missing(ctx.flags.context);
        const { subnet: _old, ...rest } = c;
        const next: StoredContext = {
          ...rest,
          ...(setNamespace !== undefined ? { namespace: setNamespace } : {}),
          ...((setSubnet ?? c.subnet) ? { subnet: setSubnet ?? c.subnet } : {}),
        };
        await saveConfig(homedir, { ...config, contexts: { ...config.contexts, [name]: next } });
        return textOutput(shown(name, next, name === config.currentContext), `✓ Context ${name}: namespace ${next.namespace ?? 'default'}, subnet ${next.subnet ?? '-'}`);
      }),
    );

  context
    .command('delete')
    .description('forget a saved context (and its token)')
    .argument('<name>', 'context name')
    .action(
      app.action<object, [string]>(async (ctx, name) => {
        const { homedir, config } = await load(ctx);
        if (!config.contexts[name]) throw missing(name);
        const { [name]: _gone, ...contexts } = config.contexts;
        await saveConfig(homedir, { ...(config.currentContext !== name && config.currentContext ? { currentContext: config.currentContext } : {}), contexts });
        return textOutput({ name, deleted: true }, `✓ Context ${name} deleted`);
      }),
    );
}
