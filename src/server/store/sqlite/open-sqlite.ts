import Sqlite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import type { DialectParts } from '../dialect.js';
import type { Database } from '../schema.js';
import { cachingDatabase } from './statement-cache.js';
import { HotStatements } from './hot-statements.js';

/**
 * Opens (creating if needed) the embedded SQLite store at `file`. WAL mode with full
 * sync: an accepted change survives a crash of the process or the machine.
 */
export interface SqliteOptions {
  /**
   * Copy the write-ahead log into the database file every this many milliseconds, on
   * this connection (a passive checkpoint: writers and readers go on meanwhile). Given
   * to the background thread's connection: SQLite otherwise checkpoints inside the commit
   * that fills the log, and when that is the API's commit every request behind it waits
   * for the copy and its fsync. What the background has copied, that commit skips.
   */
  readonly backgroundCheckpointMs?: number;
}

export function openSqlite(file: string, options: SqliteOptions = {}): DialectParts {
  const raw = new Sqlite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('temp_store = MEMORY');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }), plugins: [new CamelCasePlugin()] });
  let hot: HotStatements | undefined;
  // A checkpoint that fails (the file is closing) is only left to the next one, or to
  // the commit that fills the log: nothing depends on it but speed.
  const checkpoint = (): void => {
    try {
      if (raw.open) raw.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      /* see above */
    }
  };
  const checkpoints = options.backgroundCheckpointMs ? setInterval(checkpoint, options.backgroundCheckpointMs) : undefined;
  checkpoints?.unref();
  return {
    name: 'sqlite',
    db,
    hotStatements: () => (hot ??= new HotStatements(raw)),
    isUniqueViolation: (err) => typeof err === 'object' && err !== null && String((err as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT_UNIQUE') || String((err as { code?: unknown })?.code) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    // One writer at a time already: SQLite transactions are serial.
    lockEventLog: async () => {},
    isLeader: async () => true,
    close: async () => clearInterval(checkpoints),
  };
}
