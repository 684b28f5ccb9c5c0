import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Whoami } from '../../api/wire.js';
import { clientFor, type App } from '../app.js';
import { usageError } from '../cli-error.js';
import { loadConfig, saveContext, type StoredContext } from '../config/config-store.js';
import { homedirOf, type Settings } from '../config/settings.js';
import { readStdin } from '../io.js';
import { textOutput } from '../output/view.js';

interface LoginOpts {
  readonly token: string;
  readonly caFile?: string;
  readonly tlsFingerprint?: string;
  readonly allowInsecureHttp?: boolean;
}

/** A context name for a realm: its host and port, e.g. `127.0.0.1-7070`, `idyl.example.com`. */
export function contextNameFor(realm: string): string {
  try {
    return new URL(realm).host.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'default';
  } catch {
    return 'default';
  }
}

/**
 * `idyl login --realm URL --token TOKEN [--context NAME]`: checks the token with
 * `whoami`, then saves a context (realm, token, account, namespace, subnet, TLS) and
 * makes it current. Nothing is saved when the check fails.
 */
export function registerLogin(program: Command, app: App): void {
  program
    .command('login')
    .description('save a context for a realm and token and make it current (the token is checked first)')
    .requiredOption('--token <token>', 'access token (- reads it from stdin)')
    .option('--ca-file <file>', 'PEM file of the CA that signed the server certificate')
    .option('--tls-fingerprint <sha256>', 'pin the server certificate by its SHA-256 fingerprint')
    .option('--allow-insecure-http', 'allow plain http:// to a host that is not loopback (the token travels unencrypted)')
    .action(
      app.action<LoginOpts, []>(async (ctx) => {
        const { flags, opts } = ctx;
        if (!flags.realm) throw usageError('--realm is required', 'idyl login --realm https://idyl.example.com --token TOKEN');
        const token = opts.token === '-' ? (await readStdin(ctx.io)).trim() : opts.token;
        if (!token) throw usageError('the token is empty');
        const homedir = homedirOf(flags, ctx.io.home);
        const name = flags.context ?? contextNameFor(flags.realm);
        const existing = (await loadConfig(homedir)).contexts[name];
        const keepTls = existing?.realm === flags.realm && !opts.caFile && !opts.tlsFingerprint;
        const tls = keepTls
          ? (existing?.tls ?? {})
          : { ...(opts.caFile ? { caFile: resolve(opts.caFile) } : {}), ...(opts.tlsFingerprint ? { fingerprint: opts.tlsFingerprint } : {}) };
        const allowInsecureHttp = opts.allowInsecureHttp === true || (keepTls && existing?.allowInsecureHttp === true);
        const settings: Settings = {
          homedir,
          realm: flags.realm,
          token,
          ...(flags.accountId ? { accountId: flags.accountId } : {}),
          namespace: flags.namespace ?? existing?.namespace ?? 'default',
          tls,
          allowInsecureHttp,
          fromFlags: { namespace: false, subnet: false, accountId: false },
        };
        const client = await clientFor(settings, ctx.io.signal);
        let who: Whoami;
        try {
          who = await client.call<Whoami>('whoami');
        } finally {
          client.close();
        }
        const subnet = flags.subnet ?? existing?.subnet;
        const stored: StoredContext = {
          realm: flags.realm,
          token,
          accountId: flags.accountId ?? who.accountId,
          namespace: settings.namespace,
          ...(subnet ? { subnet } : {}),
          ...(Object.keys(tls).length ? { tls } : {}),
          ...(allowInsecureHttp ? { allowInsecureHttp } : {}),
        };
        await saveContext(homedir, name, stored);
        const data = { context: name, realm: flags.realm, accountId: stored.accountId, accountName: who.accountName, identity: who.identity, namespace: stored.namespace, ...(subnet ? { subnet } : {}) };
        return textOutput(data, `✓ Logged in to ${flags.realm} as ${who.identity.name} (account ${stored.accountId} "${who.accountName}")\n  context ${name} is now current`);
      }),
    );
}
