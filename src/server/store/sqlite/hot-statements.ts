import type Sqlite from 'better-sqlite3';
import type { Database } from '../schema.js';

type Columns = Record<string, string | number | null>;

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Every workload column (the type makes a new column a compile error here). */
const WORKLOAD_COLUMNS: Record<keyof Database['workloads'], true> = {
  id: true,
  accountId: true,
  namespace: true,
  kind: true,
  name: true,
  subnetId: true,
  ownerId: true,
  spec: true,
  labels: true,
  annotations: true,
  isolationClass: true,
  isolationSource: true,
  phase: true,
  status: true,
  nodeId: true,
  attempt: true,
  cpuMillis: true,
  memoryBytes: true,
  gpuIds: true,
  resourceVersion: true,
  createdAt: true,
  updatedAt: true,
  deletedAt: true,
};

/** The workload columns under their row names (what Kysely's camel-case plugin returns). */
const WORKLOAD_SELECT = Object.keys(WORKLOAD_COLUMNS).map((c) => `"${snake(c)}" AS "${c}"`).join(', ');

/**
 * The statements every pod creation and placement runs, prepared once on the SQLite
 * connection and run without building a query: in a profile of the API under load,
 * Kysely's building and compiling of these few statements cost more than SQLite running
 * them, and on SQLite that time is spent holding the write lock. Same SQL, same rows and
 * errors as the Kysely repos that call them (which keep mapping rows and values).
 *
 * For use inside transactions only: SQLite has one connection, and outside a
 * transaction Kysely orders its queries on it, which these bypass.
 */
export class HotStatements {
  private readonly appendEvent: Sqlite.Statement;
  private readonly workloadByName: Sqlite.Statement;
  private readonly nodeVersion: Sqlite.Statement;
  /** Inserts and updates by the set of columns they write. */
  private readonly shaped = new Map<string, Sqlite.Statement>();

  constructor(private readonly raw: Sqlite.Database) {
    this.appendEvent = raw.prepare(
      'INSERT INTO "events" ("at", "type", "account_id", "peer_account_id", "subject_kind", "subject_id", "subject_name", "subnet_id", "node_id", "message", "data") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.workloadByName = raw.prepare(
      `SELECT ${WORKLOAD_SELECT} FROM "workloads" WHERE "account_id" = ? AND "namespace" = ? AND "kind" = ? AND "name" = ? AND "deleted_at" IS NULL`,
    );
    this.nodeVersion = raw.prepare('SELECT "version" FROM "nodes" WHERE "id" = ?').pluck();
  }

  /** Appends one event; returns its revision. */
  event(e: Omit<Database['events'], 'revision'>): number {
    const r = this.appendEvent.run(e.at, e.type, e.accountId, e.peerAccountId, e.subjectKind, e.subjectId, e.subjectName, e.subnetId, e.nodeId, e.message, e.data);
    return Number(r.lastInsertRowid);
  }

  workloadNamed(accountId: string, namespace: string, kind: string, name: string): Database['workloads'] | undefined {
    return this.workloadByName.get(accountId, namespace, kind, name) as Database['workloads'] | undefined;
  }

  versionOfNode(id: string): number | undefined {
    const v = this.nodeVersion.get(id) as number | undefined;
    return v === undefined ? undefined : Number(v);
  }

  insertWorkload(cols: Columns): void {
    const keys = Object.keys(cols);
    const stmt = this.statement(`insert:${keys.join(',')}`, () => `INSERT INTO "workloads" (${keys.map((k) => `"${snake(k)}"`).join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`);
    stmt.run(cols);
  }

  /** Sets `cols` and bumps the version; with `expectVersion`, only at that version. Returns whether a row changed. */
  updateWorkload(id: string, cols: Columns, expectVersion: number | undefined): boolean {
    const keys = Object.keys(cols);
    const checked = expectVersion !== undefined;
    const stmt = this.statement(`update:${checked}:${keys.join(',')}`, () => {
      const set = [...keys.map((k) => `"${snake(k)}" = @${k}`), '"resource_version" = "resource_version" + 1'].join(', ');
      return `UPDATE "workloads" SET ${set} WHERE "id" = @__id${checked ? ' AND "resource_version" = @__expect' : ''}`;
    });
    const params: Columns = { ...cols, __id: id };
    if (checked) params.__expect = expectVersion;
    return stmt.run(params).changes > 0;
  }

  private statement(key: string, text: () => string): Sqlite.Statement {
    let stmt = this.shaped.get(key);
    if (!stmt) {
      stmt = this.raw.prepare(text());
      this.shaped.set(key, stmt);
    }
    return stmt;
  }
}
