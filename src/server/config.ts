import { IdylError } from '../api/errors.js';
import type { LogLevel } from './logger.js';
import type { ServiceSettings } from './services/deps.js';

/** Everything `idyl server` is configured with, parsed once at the edge. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Holds the SQLite store and the bootstrap token file. */
  readonly dataDir: string;
  /** PostgreSQL instead of SQLite (several replicas may share it). */
  readonly databaseUrl?: string;
  /** Sets the first admin token instead of a random one (IDYL_BOOTSTRAP_TOKEN). */
  readonly bootstrapToken?: string;
  readonly settings: ServiceSettings;
  readonly bodyLimitBytes: number;
  readonly logLevel: LogLevel;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Serve plain HTTP on a non-loopback address (refused unless set). */
  readonly allowInsecureHttp: boolean;
  /** How often the controllers run. */
  readonly tickMs: number;
}

/** Defaults for what the command line leaves out. */
export const SERVER_DEFAULTS = {
  settings: { heartbeatTimeoutMs: 15_000, heartbeatIntervalMs: 5_000, nodeLostTimeoutMs: 300_000 },
  bodyLimitBytes: 1024 * 1024,
  logLevel: 'info' as LogLevel,
  tickMs: 1_000,
} as const;

/** Parses `HOST:PORT` (IPv6 in brackets). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new IdylError('validation_failed', `--listen: "${text}" is not HOST:PORT`, { field: 'listen' });
  return { host: (m[1] ?? m[2]) as string, port };
}

/** True for loopback addresses, where plain HTTP is allowed. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
