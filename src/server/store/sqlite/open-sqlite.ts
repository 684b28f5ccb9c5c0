import Sqlite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import type { DialectParts } from '../dialect.js';
import type { Database } from '../schema.js';
import { cachingDatabase } from './statement-cache.js';

/**
 * Opens (creating if needed) the embedded SQLite store at `file`. WAL mode with full
 * sync: an accepted change survives a crash of the process or the machine.
 */
export function openSqlite(file: string): DialectParts {
  const raw = new Sqlite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('temp_store = MEMORY');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }), plugins: [new CamelCasePlugin()] });
  return {
    name: 'sqlite',
    db,
    isUniqueViolation: (err) => typeof err === 'object' && err !== null && String((err as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT_UNIQUE') || String((err as { code?: unknown })?.code) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    // One writer at a time already: SQLite transactions are serial.
    lockEventLog: async () => {},
    isLeader: async () => true,
    close: async () => {},
  };
}
