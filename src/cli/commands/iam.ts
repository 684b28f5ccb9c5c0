import type { Command } from 'commander';
import type { CreatedToken, List, TokenInfo } from '../../api/wire.js';
import type { App } from '../app.js';
import { age, until } from '../output/format.js';
import { listOutput, textOutput, type Column } from '../output/view.js';
import { noun } from './noun.js';

function columns(now: Date): Column<TokenInfo>[] {
  return [
    { header: 'ID', value: (t) => t.id },
    { header: 'NAME', value: (t) => t.name },
    { header: 'ACCOUNT', value: (t) => t.accountId },
    { header: 'STATE', value: (t) => (t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= now.getTime() ? 'expired' : 'active') },
    { header: 'EXPIRES', value: (t) => (t.expiresAt ? until(t.expiresAt, now) : 'never') },
    { header: 'LAST USED', value: (t) => (t.lastUsedAt ? `${age(t.lastUsedAt, now)} ago` : 'never') },
    { header: 'AGE', value: (t) => age(t.createdAt, now) },
  ];
}

/** `idyl iam pat create|list|revoke`: personal access tokens. */
export function registerIam(program: Command, app: App): void {
  const iam = noun(program, 'iam', 'identity and access');
  const pat = noun(iam, 'pat', 'personal access tokens', ['pats']);

  pat
    .command('create')
    .description('create a token; it is printed once and cannot be shown again')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--expires-in <duration>', 'lifetime, e.g. 30d or 12h (default: no expiry; at most 3 years)')
    .action(
      app.action<{ name: string; expiresIn?: string }, []>(async (ctx) => {
        const s = await ctx.settings();
        const body = {
          name: ctx.opts.name,
          ...(ctx.opts.expiresIn !== undefined ? { expiresIn: ctx.opts.expiresIn } : {}),
          ...(s.fromFlags.accountId && s.accountId ? { accountId: s.accountId } : {}),
        };
        const t = await (await ctx.client()).call<CreatedToken>('tokens.create', { body });
        if (ctx.format === 'table') ctx.io.stderr.write(`Token ${t.id} for account ${t.accountId}: shown once, store it now.\n`);
        return textOutput(t, t.token);
      }),
    );

  pat
    .command('list')
    .alias('get')
    .description("the identity's tokens (never their secrets)")
    .action(
      app.action<object, []>(async (ctx) => {
        const list = await (await ctx.client()).call<List<TokenInfo>>('tokens.list');
        return listOutput(list.items, columns(ctx.io.now()), 'No tokens.');
      }),
    );

  pat
    .command('revoke')
    .description('revoke a token')
    .argument('<id>', 'token id (idyl iam pat list)')
    .action(
      app.action<object, [string]>(async (ctx, id) => {
        const answer = await (await ctx.client()).call<unknown>('tokens.revoke', { params: { token: id } });
        return textOutput(answer ?? { id, revoked: true }, `✓ Token ${id} revoked`);
      }),
    );
}
