import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { HotStatements } from './sqlite/hot-statements.js';

/**
 * What each database folder provides (sqlite/, postgres/): the same shape, so the
 * store above them is written once.
 */
export interface DialectParts {
  readonly name: 'sqlite' | 'postgres';
  readonly db: Kysely<Database>;
  /** True when `err` is a unique-constraint violation from this database. */
  isUniqueViolation(err: unknown): boolean;
  /**
   * Serialises event appends until the transaction commits, so revisions become
   * visible in order and a watcher resuming from N never skips one.
   */
  lockEventLog(trx: Transaction<Database>): Promise<void>;
  /**
   * Whether this process holds the scheduling lease (one planner at a time across
   * replicas). SQLite serves one process: always true.
   */
  isLeader(): Promise<boolean>;
  /** SQLite: the hot statements prepared on its one connection, for use inside transactions (after migrating). */
  hotStatements?(): HotStatements;
  /** Extra teardown beyond `db.destroy()`. */
  close(): Promise<void>;
}
