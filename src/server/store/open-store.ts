import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Migrator, type Kysely, type Transaction } from 'kysely';
import type { DialectParts } from './dialect.js';
import { migrations } from './migrations.js';
import type { Database } from './schema.js';
import { UniqueViolation, type Repos, type Store } from './store.js';
import type { EventInsert, WorkloadRow } from './rows.js';
import { GroupCommit } from './group-commit.js';
import { ReadCache, refuseGateWrites } from './read-cache.js';
import type { WriteLock } from './write-lock.js';
import type { HotStatements } from './sqlite/hot-statements.js';
import { openSqlite } from './sqlite/open-sqlite.js';
import { openPostgres } from './postgres/open-postgres.js';
import { accountsRepo, identitiesRepo } from './repos/accounts.js';
import { tokensRepo } from './repos/tokens.js';
import { admissionRepo, approvalsRepo, fleetsRepo, subnetsRepo } from './repos/subnets.js';
import { nodesRepo } from './repos/nodes.js';
import { workloadsRepo } from './repos/workloads.js';
import { eventsRepo } from './repos/events.js';

/** Where the state lives: embedded SQLite in a file, or PostgreSQL. */
export type StoreConfig = { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

/** How often a connection with `checkpoints` copies the write-ahead log into the database file. */
const BACKGROUND_CHECKPOINT_MS = 100;

/** How this connection shares a SQLite file with other threads of the process. */
export interface SqliteSharing {
  /** Taken around every write transaction by every connection to the file. */
  readonly writeLock: WriteLock;
  /**
   * A second connection (the background thread): it does not migrate, keeps no read cache,
   * and refuses writes to what the first connection caches (tokens, accounts,
   * identities, subnets, approvals, admission), which keeps that cache exact.
   */
  readonly secondary?: boolean;
  /** This connection copies the write-ahead log into the file in the background (one connection of the file should). */
  readonly checkpoints?: boolean;
  /**
   * Where `insertWorkload` runs instead of on this connection (the background thread);
   * `undefined` from it means "not now" (the thread is not running), and it runs here.
   */
  readonly insertElsewhere?: (row: WorkloadRow, events: readonly EventInsert[]) => Promise<{ inserted: boolean }> | undefined;
}

/** Opens the store, applies pending migrations and returns it ready for use. */
export async function openStore(config: StoreConfig, sharing?: SqliteSharing): Promise<Store> {
  let parts: DialectParts;
  if (config.kind === 'sqlite') {
    mkdirSync(dirname(config.file), { recursive: true });
    parts = openSqlite(config.file, sharing?.checkpoints ? { backgroundCheckpointMs: BACKGROUND_CHECKPOINT_MS } : {});
  } else {
    parts = openPostgres(config.url);
  }
  if (sharing?.secondary) return new KyselyStore(parts, sharing);
  const result = await new Migrator({ db: parts.db as Kysely<unknown>, provider: migrations(parts.name) }).migrateToLatest();
  if (result.error) {
    await parts.db.destroy();
    throw new Error(`store migration failed: ${result.error instanceof Error ? result.error.message : String(result.error)}`, { cause: result.error });
  }
  return new KyselyStore(parts, sharing);
}

class KyselyStore implements Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly read: Repos;
  private readonly listeners: Array<(revision: number) => void> = [];
  /**
   * SQLite has one writer and commits with an fsync: transactions asked for while one
   * commits share the next commit. PostgreSQL runs them side by side on its pool.
   */
  private readonly group: GroupCommit<Database> | undefined;
  /**
   * Only this process writes to a SQLite file, and only this connection to the tokens
   * and submission gates, so its reads of them can be cached exactly.
   */
  private readonly cache: ReadCache | undefined;
  private readonly secondary: boolean;
  private readonly insertElsewhere: SqliteSharing['insertElsewhere'];

  constructor(
    private readonly parts: DialectParts,
    sharing?: SqliteSharing,
  ) {
    this.dialect = parts.name;
    const sqlite = parts.name === 'sqlite';
    this.secondary = sharing?.secondary === true;
    this.insertElsewhere = sharing?.insertElsewhere;
    this.group = sqlite ? new GroupCommit(parts.db, undefined, sharing?.writeLock) : undefined;
    this.cache = sqlite && !this.secondary ? new ReadCache() : undefined;
    const own = this.repos(parts.db, async () => {}, (rev) => this.emit(rev));
    const read = this.secondary ? refuseGateWrites(own) : own;
    this.read = sqlite ? this.writesInTransactions(this.cache ? this.cache.reading(read) : read) : read;
  }

  /**
   * The writes services make outside a transaction (a token's last use, a heartbeat,
   * stale nodes) run as transactions on SQLite: they share a group's commit, and they
   * take the write lock like every other write.
   */
  private writesInTransactions(read: Repos): Repos {
    return {
      ...read,
      tokens: { ...read.tokens, touch: (id, at) => this.transaction((tx) => tx.tokens.touch(id, at)) },
      nodes: {
        ...read.nodes,
        heartbeat: (id, at) => this.transaction((tx) => tx.nodes.heartbeat(id, at)),
        disconnectStale: (before, at) => this.transaction((tx) => tx.nodes.disconnectStale(before, at)),
      },
    };
  }

  isLeader(): Promise<boolean> {
    return this.parts.isLeader();
  }

  onCommit(listener: (revision: number) => void): void {
    this.listeners.push(listener);
  }

  async transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T> {
    let last = 0;
    let locked = false;
    try {
      const body = async (trx: Transaction<Database>) => {
        const lock = async () => {
          if (!locked) await this.parts.lockEventLog(trx);
          locked = true;
        };
        const repos = this.repos(trx, lock, (rev) => (last = Math.max(last, rev)), this.parts.hotStatements?.());
        return fn(this.cache ? this.cache.writing(repos) : this.secondary ? refuseGateWrites(repos) : repos);
      };
      const out = this.group ? await this.group.run(body) : await this.parts.db.transaction().execute(body);
      if (last) this.emit(last);
      return out;
    } catch (err) {
      if (this.parts.isUniqueViolation(err)) throw new UniqueViolation('resource', err);
      throw err;
    }
  }

  insertWorkload(row: WorkloadRow, events: readonly EventInsert[]): Promise<{ inserted: boolean }> {
    return (
      this.insertElsewhere?.(row, events) ??
      this.transaction(async (tx) => {
        if (await tx.workloads.getByName(row.accountId, row.namespace, row.kind, row.name)) return { inserted: false };
        await tx.workloads.insert(row);
        for (const e of events) await tx.events.append(e);
        return { inserted: true };
      })
    );
  }

  async close(): Promise<void> {
    await this.parts.db.destroy();
    await this.parts.close();
  }

  private emit(revision: number): void {
    for (const l of this.listeners) l(revision);
  }

  /** `hot`: inside a SQLite transaction, the prepared statements for the hot writes. */
  private repos(q: Kysely<Database>, lock: () => Promise<void>, appended: (rev: number) => void, hot?: HotStatements): Repos {
    const guard = <T extends object>(repo: T): T => guardUnique(repo, this.parts);
    return {
      accounts: guard(accountsRepo(q)),
      identities: guard(identitiesRepo(q)),
      tokens: guard(tokensRepo(q)),
      subnets: guard(subnetsRepo(q)),
      admission: guard(admissionRepo(q)),
      approvals: guard(approvalsRepo(q)),
      fleets: guard(fleetsRepo(q)),
      nodes: guard(nodesRepo(q, hot)),
      workloads: guard(workloadsRepo(q, hot)),
      events: guard(eventsRepo(q, lock, appended, hot)),
    };
  }
}

/** Turns the database's unique-constraint errors into UniqueViolation on every method. */
function guardUnique<T extends object>(repo: T, parts: DialectParts): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(repo)) {
    out[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        if (parts.isUniqueViolation(err)) throw new UniqueViolation(name, err);
        throw err;
      }
    };
  }
  return out as T;
}
