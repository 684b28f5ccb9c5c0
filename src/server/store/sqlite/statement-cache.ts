import type Sqlite from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Statements kept prepared, by SQL text; past this many the least recently used is dropped. */
const CACHE_SIZE = 500;

/**
 * The database as Kysely's SQLite dialect sees it, with each SQL text prepared once and
 * then reused. Kysely prepares every query anew, and for the short statements of a
 * request preparing cost about as much as running them. A cached statement that is still
 * being iterated (a streamed query) is not handed out again: a fresh one is prepared.
 * SQLite prepares a statement again by itself after a schema change.
 */
export function cachingDatabase(raw: Sqlite.Database, size = CACHE_SIZE): SqliteDatabase {
  const cache = new Map<string, Sqlite.Statement>();
  const rollback = raw.prepare('rollback');
  // After some errors (a full disk, an I/O error) SQLite has already rolled the
  // transaction back, and Kysely's rollback then failed with "no transaction is active",
  // hiding the error that did it. A rollback with no transaction open does nothing.
  const quietRollback = { reader: false, run: () => (raw.inTransaction ? rollback.run() : { changes: 0, lastInsertRowid: 0 }) } as unknown as Sqlite.Statement;
  return {
    close: () => raw.close(),
    prepare: (sql) => {
      if (/^\s*rollback\s*$/i.test(sql)) return quietRollback;
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = raw.prepare(sql);
      if (!hit) {
        cache.set(sql, stmt);
        if (cache.size > size) cache.delete(cache.keys().next().value as string);
      }
      return stmt;
    },
  };
}
