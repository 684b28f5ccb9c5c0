import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { IdylError } from '../api/errors.js';
import { ApiClient } from '../client/api-client.js';
import { outputOf, resolveSettings, type GlobalFlags, type OutputFormat, type Settings } from './config/settings.js';
import type { CliIo } from './io.js';
import { silentProgress, terminalProgress, type Progress } from './output/progress.js';
import type { CommandOutput } from './output/view.js';

/** What a command handler gets: its own options, the global flags, and lazily the settings and a client. */
export interface CommandContext<O> {
  readonly io: CliIo;
  /** The command's own options. */
  readonly opts: O;
  /** The global flags as given (before any context is consulted). */
  readonly flags: GlobalFlags;
  readonly format: OutputFormat;
  /** The context laid under the flags; read once. */
  settings(): Promise<Settings>;
  /** A client for the settings' realm; closed when the command ends. */
  client(): Promise<ApiClient>;
  /** Stage progress on a terminal with table output; silent otherwise. */
  progress(): Progress;
}

/** A command handler: returns its result for the writer, or undefined when it wrote its own output. */
export type Handler<O, A extends unknown[]> = (ctx: CommandContext<O>, ...args: A) => Promise<CommandOutput | undefined>;

/**
 * A client for `settings`. No realm at all is `unauthenticated` (nothing to log in to);
 * an unreadable CA file is `validation_failed`. `signal` (Ctrl-C) aborts all its calls.
 */
export async function clientFor(settings: Settings, signal?: AbortSignal): Promise<ApiClient> {
  if (!settings.realm) {
    throw new IdylError('unauthenticated', 'no realm to talk to: no context is saved and --realm is not given', {
      hint: 'idyl login --realm URL --token TOKEN',
    });
  }
  let ca: Buffer | undefined;
  if (settings.tls.caFile) {
    try {
      ca = await readFile(settings.tls.caFile);
    } catch (err) {
      throw new IdylError('validation_failed', `cannot read the CA file ${settings.tls.caFile}: ${(err as { code?: string }).code ?? String(err)}`, {
        field: 'tls.caFile',
        hint: 'log in again with --ca-file pointing at the CA certificate',
      });
    }
  }
  return new ApiClient({
    realm: settings.realm,
    ...(settings.token ? { token: settings.token } : {}),
    ...(settings.accountId ? { accountId: settings.accountId } : {}),
    tls: { ...(ca ? { ca } : {}), ...(settings.tls.fingerprint ? { fingerprint: settings.tls.fingerprint } : {}) },
    allowInsecureHttp: settings.allowInsecureHttp,
    userAgent: 'idyl-cli',
    ...(signal ? { signal } : {}),
  });
}

/**
 * Binds command handlers to commander and keeps what one invocation produced: the
 * result for the writer, the output format, and the clients to close.
 */
export class App {
  result: CommandOutput | undefined;
  format: OutputFormat | undefined;
  private readonly clients: ApiClient[] = [];

  constructor(readonly io: CliIo) {}

  /** Wraps `handler` as a commander action. */
  action<O, A extends unknown[]>(handler: Handler<O, A>): (...raw: unknown[]) => Promise<void> {
    return async (...raw: unknown[]) => {
      const cmd = raw[raw.length - 1] as Command;
      const opts = raw[raw.length - 2] as O;
      const args = raw.slice(0, -2) as A;
      const flags = cmd.optsWithGlobals<GlobalFlags>();
      const format = outputOf(flags);
      this.format = format;
      let settings: Promise<Settings> | undefined;
      let client: Promise<ApiClient> | undefined;
      const ctx: CommandContext<O> = {
        io: this.io,
        opts,
        flags,
        format,
        settings: () => (settings ??= resolveSettings(flags, this.io.home)),
        client: () =>
          (client ??= ctx.settings().then((s) => clientFor(s, this.io.signal)).then((c) => {
            this.clients.push(c);
            return c;
          })),
        progress: () => (format === 'table' && this.io.stderrIsTTY ? terminalProgress(this.io.stderr) : silentProgress),
      };
      this.result = await handler(ctx, ...args);
    };
  }

  /** Closes every client the command opened. */
  close(): void {
    for (const c of this.clients) c.close();
  }
}
