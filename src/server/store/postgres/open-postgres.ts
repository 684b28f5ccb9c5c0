import pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import type { DialectParts } from '../dialect.js';
import type { Database } from '../schema.js';

/** Advisory lock key that serialises event-log appends across replicas. */
const EVENT_LOG_LOCK = 0x1d71;

// bigint columns (event revisions, sizes) fit in a double for idyl's ranges.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** Connects to PostgreSQL at `url` (several control-plane replicas may share it). */
export function openPostgres(url: string, poolSize = 10): DialectParts {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection that the server drops (restart, failover) must not crash the process;
  // the pool replaces it on the next query.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
  return {
    name: 'postgres',
    db,
    isUniqueViolation: (err) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505',
    lockEventLog: async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${EVENT_LOG_LOCK})`.execute(trx);
    },
    close: async () => {},
  };
}
