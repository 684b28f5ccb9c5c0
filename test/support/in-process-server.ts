import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_DEFAULTS, type ServerConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { ServiceSettings } from '../../src/server/services/deps.js';

/** A control plane started in this process on a free loopback port, with SQLite in a temp dir. */
export interface InProcessServer {
  readonly url: string;
  /** The root account's admin token. */
  readonly rootToken: string;
  readonly dataDir: string;
  /** The SQLite file, for tests that compare state before and after. */
  readonly dbFile: string;
  /** Every log line the server wrote (debug level and up). */
  readonly logs: string[];
  readonly server: RunningServer;
  /** Stops the server and removes its data dir. */
  close(): Promise<void>;
}

/**
 * Starts `idyl server` in this process. Settings default to long timeouts, so nodes a
 * test joined without an agent stay connected for the whole test.
 */
export async function startInProcessServer(options: { settings?: Partial<ServiceSettings>; tls?: ServerConfig['tls'] } = {}): Promise<InProcessServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'idyl-server-'));
  const rootToken = `idyl_pat_root-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const logs: string[] = [];
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    bootstrapToken: rootToken,
    settings: { heartbeatTimeoutMs: 600_000, heartbeatIntervalMs: 5_000, nodeLostTimeoutMs: 900_000, ...options.settings },
    bodyLimitBytes: SERVER_DEFAULTS.bodyLimitBytes,
    logLevel: 'debug',
    allowInsecureHttp: false,
    tickMs: 200,
    ...(options.tls ? { tls: options.tls } : {}),
  };
  const server = await startServer(config, createLogger('debug', 'server', (line) => void logs.push(line)));
  return {
    url: server.url,
    rootToken,
    dataDir,
    dbFile: join(dataDir, 'idyl.db'),
    logs,
    server,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
