import type { Command } from 'commander';
import { IdylError } from '../../api/errors.js';
import { parseBytes, parseDuration } from '../../api/quantity.js';
import { parseListen, SERVER_DEFAULTS, type ServerConfig } from '../../server/config.js';
import type { LogLevel } from '../../server/logger.js';
import type { App } from '../app.js';

interface ServerOpts {
  dataDir: string;
  listen: string;
  databaseUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  heartbeatTimeout: string;
  nodeLostTimeout: string;
  bodyLimit: string;
  logLevel: string;
}

function duration(text: string, flag: string): number {
  const d = parseDuration(text, flag);
  if (!d.ok) throw d.error;
  return d.value;
}

/** Parses the command line into the server's one config value (style.md rule 7). */
export function serverConfig(o: ServerOpts, env: NodeJS.ProcessEnv): ServerConfig {
  const { host, port } = parseListen(o.listen);
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new IdylError('validation_failed', '--tls-cert and --tls-key go together', { field: 'tls' });
  const levels = ['debug', 'info', 'warn', 'error', 'silent'];
  if (!levels.includes(o.logLevel)) throw new IdylError('validation_failed', `--log-level: one of ${levels.join(', ')}`, { field: 'logLevel', allowed: levels });
  const body = parseBytes(o.bodyLimit, '--body-limit');
  if (!body.ok) throw body.error;
  const heartbeatTimeoutMs = duration(o.heartbeatTimeout, '--heartbeat-timeout');
  return {
    host,
    port,
    dataDir: o.dataDir,
    ...(o.databaseUrl ?? env.IDYL_DATABASE_URL ? { databaseUrl: (o.databaseUrl ?? env.IDYL_DATABASE_URL) as string } : {}),
    ...(env.IDYL_BOOTSTRAP_TOKEN ? { bootstrapToken: env.IDYL_BOOTSTRAP_TOKEN } : {}),
    settings: {
      heartbeatTimeoutMs,
      heartbeatIntervalMs: Math.max(500, Math.min(SERVER_DEFAULTS.settings.heartbeatIntervalMs, Math.floor(heartbeatTimeoutMs / 3))),
      nodeLostTimeoutMs: duration(o.nodeLostTimeout, '--node-lost-timeout'),
    },
    bodyLimitBytes: body.value,
    logLevel: o.logLevel as LogLevel,
    ...(o.tlsCert && o.tlsKey ? { tls: { certFile: o.tlsCert, keyFile: o.tlsKey } } : {}),
    allowInsecureHttp: o.insecureHttp === true,
    tickMs: SERVER_DEFAULTS.tickMs,
  };
}

/** `idyl server`: the control plane, in the foreground until SIGINT/SIGTERM. */
export function registerServer(program: Command, app: App): void {
  program
    .command('server')
    .description('run the control plane (embedded SQLite in --data-dir unless --database-url names PostgreSQL)')
    .requiredOption('--data-dir <dir>', 'state: the SQLite store and the bootstrap token file')
    .option('--listen <host:port>', 'address to serve on', '127.0.0.1:7070')
    .option('--database-url <url>', 'PostgreSQL instead of SQLite (several replicas may share it); also IDYL_DATABASE_URL')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'the key of --tls-cert (PEM)')
    .option('--insecure-http', 'serve plain HTTP on a non-loopback address (not recommended)')
    .option('--heartbeat-timeout <duration>', 'a node silent this long is disconnected', '15s')
    .option('--node-lost-timeout <duration>', 'pods of a node disconnected this long are placed anew', '5m')
    .option('--body-limit <size>', 'largest request body', '1Mi')
    .option('--log-level <level>', 'debug, info, warn, error or silent', 'info')
    .action(
      app.action<ServerOpts, []>(async (ctx) => {
        const config = serverConfig(ctx.opts, process.env);
        // Loaded here, not at the top: every other command starts faster without the store.
        const { startServer } = await import('../../server/server.js');
        const server = await startServer(config);
        if (server.bootstrapToken) {
          ctx.io.stdout.write(`bootstrap admin token (shown once; also in ${ctx.opts.dataDir}/bootstrap-token):\n${server.bootstrapToken}\n`);
        }
        ctx.io.stderr.write(`idyl server: serving ${server.url}\n`);
        await new Promise<void>((resolve) => {
          if (ctx.io.signal.aborted) return resolve();
          ctx.io.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        await server.close();
        return undefined;
      }),
    );
}
