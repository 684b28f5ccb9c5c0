import { join } from 'node:path';
import { IdylError } from '../../api/errors.js';
import { loadConfig, type StoredContext } from './config-store.js';

/** The output formats of `-o/--output`. */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The global flags as commander parsed them (every command has them). */
export interface GlobalFlags {
  readonly homedir?: string;
  readonly context?: string;
  readonly realm?: string;
  readonly accountId?: string;
  readonly namespace?: string;
  readonly subnet?: string;
  readonly output?: string;
}

/** What one command runs with: the chosen context, overridden by the command line. */
export interface Settings {
  readonly homedir: string;
  /** The context in use, if any. */
  readonly contextName?: string;
  readonly context?: StoredContext;
  readonly realm?: string;
  /** Only the token saved for this very realm; never sent to a realm given with --realm. */
  readonly token?: string;
  readonly accountId?: string;
  readonly namespace: string;
  readonly subnet?: string;
  readonly tls: { readonly caFile?: string; readonly fingerprint?: string };
  readonly allowInsecureHttp: boolean;
  /** Values the command line gave; they win over a manifest's own. */
  readonly fromFlags: { readonly namespace: boolean; readonly subnet: boolean; readonly accountId: boolean };
}

/** `--homedir`, or `<home>/.idyl`. */
export function homedirOf(flags: GlobalFlags, home: string): string {
  return flags.homedir ?? join(home, '.idyl');
}

/** The output format named by the flags (commander has already checked the value). */
export function outputOf(flags: GlobalFlags): OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(flags.output ?? '') ? (flags.output as OutputFormat) : 'table';
}

/**
 * Picks the context (`-c NAME`, else the current one, else none) and lays the
 * command-line flags over it. `-c` naming a context that does not exist is `not_found`.
 */
export async function resolveSettings(flags: GlobalFlags, home: string): Promise<Settings> {
  const homedir = homedirOf(flags, home);
  const config = await loadConfig(homedir);
  const contextName = flags.context ?? config.currentContext;
  const context = contextName !== undefined ? config.contexts[contextName] : undefined;
  if (flags.context !== undefined && !context) {
    throw new IdylError('not_found', `no context named "${flags.context}" in ${homedir}`, {
      hint: 'idyl context list shows the saved contexts; idyl login --realm URL --token TOKEN --context NAME saves one',
    });
  }
  const realm = flags.realm ?? context?.realm;
  const sameRealm = context !== undefined && realm !== undefined && sameOrigin(realm, context.realm);
  return {
    homedir,
    ...(context && contextName !== undefined ? { contextName, context } : {}),
    ...(realm !== undefined ? { realm } : {}),
    ...(sameRealm && context?.token ? { token: context.token } : {}),
    ...(flags.accountId ?? context?.accountId ? { accountId: flags.accountId ?? context?.accountId } : {}),
    namespace: flags.namespace ?? context?.namespace ?? 'default',
    ...(flags.subnet ?? context?.subnet ? { subnet: flags.subnet ?? context?.subnet } : {}),
    tls: sameRealm ? (context?.tls ?? {}) : {},
    allowInsecureHttp: sameRealm ? context?.allowInsecureHttp === true : false,
    fromFlags: { namespace: flags.namespace !== undefined, subnet: flags.subnet !== undefined, accountId: flags.accountId !== undefined },
  };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    const ua = new URL(a);
    const ub = new URL(b);
    return ua.origin === ub.origin && ua.pathname.replace(/\/+$/, '') === ub.pathname.replace(/\/+$/, '');
  } catch {
    return a === b;
  }
}
