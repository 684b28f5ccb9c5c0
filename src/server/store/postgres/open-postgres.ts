import pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import type { DialectParts } from '../dialect.js';
import type { Database } from '../schema.js';

/** Advisory lock key that serialises event-log appends across replicas. */
const EVENT_LOG_LOCK = 0x1d71;
/** Advisory lock key of the scheduling lease (held for a session by the leader). */
const LEASE_LOCK = 0x1d72;

// bigint columns (event revisions, sizes) fit in a double for idyl's ranges.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** Connects to PostgreSQL at `url` (several control-plane replicas may share it). */
export function openPostgres(url: string, poolSize = 10): DialectParts {
  const lease = new Lease(url);
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
    isLeader: () => lease.held(),
    close: () => lease.release(),
  };
}

/**
 * The scheduling lease: a session-level advisory lock on a dedicated connection.
 * When the holder dies its connection closes and PostgreSQL frees the lock, so
 * another replica takes over on its next try.
 */
class Lease {
  private client: pg.Client | undefined;
  private holding = false;
  private trying: Promise<boolean> | undefined;

  constructor(private readonly url: string) {}

  held(): Promise<boolean> {
    return (this.trying ??= this.check().finally(() => (this.trying = undefined)));
  }

  private async check(): Promise<boolean> {
    try {
      if (!this.client) {
        const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
        c.on('error', () => this.drop());
        await c.connect();
        this.client = c;
        this.holding = false;
      }
      if (this.holding) {
        await this.client.query('SELECT 1');
        return true;
      }
      const r = await this.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEASE_LOCK]);
      this.holding = r.rows[0]?.ok === true;
      return this.holding;
    } catch {
      this.drop();
      return false;
    }
  }

  private drop(): void {
    const c = this.client;
    this.client = undefined;
    this.holding = false;
    c?.end().catch(() => {});
  }

  async release(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.holding = false;
    await c?.end().catch(() => {});
  }
}
