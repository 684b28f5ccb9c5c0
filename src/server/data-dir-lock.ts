import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { IdylError } from '../api/errors.js';

/**
 * Holds `DIR/server.lock` for as long as this server runs, so that a second server on
 * the same data dir refuses to start: both would plan over the same nodes, and each
 * one's read cache would miss the other's writes. The lock is SQLite's exclusive lock
 * on that file (an fcntl lock), which the kernel releases when the process ends however
 * it ends, so a crashed server never leaves a stale lock behind.
 */
export function lockDataDir(dataDir: string): { release(): void } {
  const db = new Sqlite(join(dataDir, 'server.lock'));
  try {
    db.pragma('journal_mode = MEMORY');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') {
      throw new IdylError('conflict', `another idyl server is running on the data dir ${dataDir}`, { hint: 'stop it first, or give this one another --data-dir' });
    }
    throw err;
  }
  // Referenced here too: a lock its caller dropped must not be released by the GC.
  held.add(db);
  return {
    release: () => {
      held.delete(db);
      db.close();
    },
  };
}

const held = new Set<Sqlite.Database>();
