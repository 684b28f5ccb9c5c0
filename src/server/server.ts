import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { IdylError } from '../api/errors.js';
import type { AuthFailure } from './auth/authenticate.js';
import { isLoopback, type ServerConfig } from './config.js';
import { EventBus } from './event-bus.js';
import { buildHandlers } from './handlers/handlers.js';
import { createEdge } from './http/edge.js';
import { createLogger, type Logger } from './logger.js';
import { ControlLoop } from './planner/control-loop.js';
import { PlanningLoop, type Planning } from './planner/planning-loop.js';
import type { ServiceDeps } from './services/deps.js';
import { buildServices } from './services/services.js';
import { openStore } from './store/open-store.js';
import { MAIN_HOLDER, WriteLock } from './store/write-lock.js';
import { BackgroundThread } from './background-thread.js';
import { lockDataDir } from './data-dir-lock.js';
import { audit } from './services/audit.js';

/** A started control plane. */
export interface RunningServer {
  readonly url: string;
  /** The first admin token when this start created the root account (shown once). */
  readonly bootstrapToken?: string;
  /** Graceful: stops accepting, ends streams, waits for work in flight, closes the store. */
  close(): Promise<void>;
}

/** Starts `idyl server`: store, services, planner, HTTP edge. */
export async function startServer(config: ServerConfig, logger: Logger = createLogger(config.logLevel, 'server')): Promise<RunningServer> {
  if (!config.tls && !isLoopback(config.host) && !config.allowInsecureHttp) {
    throw new IdylError('validation_failed', `--listen ${config.host}: plain HTTP is only served on loopback; give --tls-cert and --tls-key (or --insecure-http)`, { field: 'listen' });
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const dirLock = lockDataDir(config.dataDir);
  try {
    return await startLocked(config, logger, dirLock);
  } catch (err) {
    dirLock.release();
    throw err;
  }
}

async function startLocked(config: ServerConfig, logger: Logger, dirLock: { release(): void }): Promise<RunningServer> {
  const sqliteFile = config.databaseUrl ? undefined : join(config.dataDir, 'idyl.db');
  // On SQLite the planner and pod creations' inserts run in the background thread, on a
  // connection of its own; the two connections take turns writing through the write lock.
  const writeLock = sqliteFile ? new WriteLock(MAIN_HOLDER) : undefined;
  let wake: (revision: number) => void = () => {};
  const background =
    sqliteFile && writeLock ? new BackgroundThread({ file: sqliteFile, settings: config.settings, logLevel: config.logLevel, lock: writeLock, logger, onCommitted: (rev) => wake(rev) }) : undefined;
  const store = await openStore(
    sqliteFile ? { kind: 'sqlite', file: sqliteFile } : { kind: 'postgres', url: config.databaseUrl as string },
    writeLock ? { writeLock, ...(background ? { insertElsewhere: (row, events) => background.insert(row, events) } : {}) } : undefined,
  );
  const bus = new EventBus(() => store.read.events.latestRevision(), store.dialect === 'postgres' ? 250 : undefined);
  wake = (rev) => bus.notify(rev);
  store.onCommit((rev) => bus.notify(rev));
  bus.notify(await store.read.events.latestRevision());
  let loop: ControlLoop | undefined;
  const deps: ServiceDeps = { store, now: () => new Date(), logger, settings: config.settings, kick: () => loop?.kick() };
  const services = buildServices(deps, bus);

  const secret = await services.accounts.bootstrap(config.bootstrapToken);
  if (secret) {
    const file = join(config.dataDir, 'bootstrap-token');
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }

  const planning: Planning = background ?? new PlanningLoop(deps, logger, () => store.isLeader());
  loop = new ControlLoop(deps, logger, config.tickMs, planning, () => store.isLeader());
  // Replicas see each other's changes through polling: the leader plans them too.
  if (store.dialect === 'postgres') bus.subscribe(() => loop?.kick());
  const shutdown = new AbortController();
  const failures = new AuthFailureCounter(deps);
  const edge = createEdge({ store, handlers: buildHandlers(services), logger, bodyLimitBytes: config.bodyLimitBytes, now: deps.now, onAuthFailure: (r, remote) => failures.count(r, remote), shutdown: shutdown.signal });
  const server: Server = config.tls ? createHttps({ cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }, edge) : createHttp(edge);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    services.relay.close();
    bus.close();
    await store.close();
    throw err;
  }
  loop.start();
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${addr.port}`;
  logger.info('serving', { url, store: store.dialect });

  let closing: Promise<void> | undefined;
  return {
    url,
    ...(secret ? { bootstrapToken: secret } : {}),
    close: () =>
      (closing ??= (async () => {
        shutdown.abort();
        services.relay.close();
        bus.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 5_000).unref();
        });
        await loop?.stop();
        await failures.flush();
        await store.close();
        dirLock.release();
        logger.info('stopped');
      })()),
  };
}

/**
 * Failed authentications are audited in aggregate (one event per minute at most):
 * a guessing attack must not turn into one write per guess.
 */
class AuthFailureCounter {
  private counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ServiceDeps) {}

  count(reason: AuthFailure, remote: string): void {
    const key = `${reason}|${remote}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), 60_000);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const counts = this.counts;
    this.counts = new Map();
    if (counts.size === 0) return;
    await this.deps.store.transaction(async (tx) => {
      // Anonymous attempts belong to no account: the root account's log shows them.
      const root = (await tx.accounts.list()).find((a) => a.root);
      for (const [key, n] of counts) {
        const [reason, remote] = key.split('|');
        await audit(tx, { principal: undefined, ...(root ? { accountId: root.id } : {}), action: 'token.authenticate', target: remote ?? '-', allowed: false, reason: `${n} request(s) with a ${reason} token` });
      }
    });
  }
}
