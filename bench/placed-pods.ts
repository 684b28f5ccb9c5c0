import Sqlite from 'better-sqlite3';
import { join } from 'node:path';

/**
 * Counts the pods of a running server's SQLite store (`DATA_DIR/idyl.db`), read-only
 * beside the server (WAL lets a reader in without blocking its writes): how many exist
 * and how many the scheduler has bound to a node. The API has no cheap count of its
 * own; listing 100,000 pods to count them would itself load the server.
 */
export class PlacedPods {
  private readonly db: Sqlite.Database;
  private readonly count: Sqlite.Statement<[], { pods: number; placed: number | null }>;

  constructor(dataDir: string) {
    this.db = new Sqlite(join(dataDir, 'idyl.db'), { readonly: true, fileMustExist: true });
    this.count = this.db.prepare("SELECT count(*) AS pods, sum(node_id IS NOT NULL) AS placed FROM workloads WHERE kind = 'Pod' AND deleted_at IS NULL");
  }

  /** Pods stored and pods placed, now. */
  read(): { pods: number; placed: number } {
    const r = this.count.get();
    return { pods: r?.pods ?? 0, placed: r?.placed ?? 0 };
  }

  close(): void {
    this.db.close();
  }
}
