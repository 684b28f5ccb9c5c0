import { sql, type Kysely, type Transaction } from 'kysely';
import type { WriteLock } from './write-lock.js';

/** Transactions that wait together for one commit, at most this many. */
const MAX_GROUP = 256;

interface Waiting<DB> {
  readonly fn: (trx: Transaction<DB>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Group commit for a database with one writer (SQLite): transactions asked for in the
 * same turn of the event loop, or while another group commits, run one after another
 * inside one database transaction, each in its own savepoint, and share its commit
 * (and its fsync).
 *
 * Each caller sees what it would see alone: the transactions run serially, in the
 * order they were asked for; one that throws is rolled back to its savepoint and
 * rejected, and the others go on; none resolves before the commit is durable. If the
 * commit itself fails, every transaction of the group is rejected with its error and
 * none of their writes landed. A lone transaction runs as before, with no savepoint.
 */
export class GroupCommit<DB> {
  private readonly waiting: Array<Waiting<DB>> = [];
  private running = false;

  /** `lock`: taken around every commit when other threads write to the same file. */
  constructor(
    private readonly db: Kysely<DB>,
    private readonly maxGroup = MAX_GROUP,
    private readonly lock?: WriteLock,
  ) {}

  run<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.running) return;
      // Start after the requests that arrived in this turn of the event loop have asked
      // too: SQLite's calls are synchronous, so starting at once would always commit alone.
      this.running = true;
      setImmediate(() => void this.drain());
    });
  }

  /**
   * One group, then a turn of the event loop before the next: requests that arrived
   * meanwhile join it, and a thread sharing the lock gets its turn.
   */
  private async drain(): Promise<void> {
    try {
      await this.lock?.acquire();
      try {
        await this.commit(this.waiting.splice(0, this.maxGroup));
      } finally {
        this.lock?.release();
      }
    } finally {
      if (this.waiting.length > 0) setImmediate(() => void this.drain());
      else this.running = false;
    }
  }

  private async commit(group: ReadonlyArray<Waiting<DB>>): Promise<void> {
    const [only] = group;
    if (group.length === 1 && only) {
      await this.db.transaction().execute(only.fn).then(only.resolve, only.reject);
      return;
    }
    const outcomes: Outcome[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const w of group) outcomes.push(await inSavepoint(trx, w.fn));
      });
    } catch (error) {
      for (const w of group) w.reject(error);
      return;
    }
    group.forEach((w, i) => {
      const o = outcomes[i] as Outcome;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  }
}

async function inSavepoint<DB>(trx: Transaction<DB>, fn: (trx: Transaction<DB>) => Promise<unknown>): Promise<Outcome> {
  await sql`savepoint idyl_group_item`.execute(trx);
  try {
    const value = await fn(trx);
    await sql`release savepoint idyl_group_item`.execute(trx);
    return { ok: true, value };
  } catch (error) {
    try {
      await sql`rollback to savepoint idyl_group_item`.execute(trx);
      await sql`release savepoint idyl_group_item`.execute(trx);
    } catch {
      // SQLite already rolled the whole transaction back (a full disk, an I/O error):
      // the group fails with the error that did it, not with the savepoint's.
      throw error;
    }
    return { ok: false, error };
  }
}
