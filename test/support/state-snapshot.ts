import Database from 'better-sqlite3';

/** Everything a control plane holds, as rows per table, for before/after comparisons. */
export interface StateSnapshot {
  readonly tables: Readonly<Record<string, readonly unknown[]>>;
  /** Events that are not audit records. */
  readonly events: readonly unknown[];
  /** How many audit records there are. */
  readonly auditCount: number;
}

const TABLES = ['accounts', 'identities', 'tokens', 'subnets', 'admission_entries', 'approvals', 'fleets', 'nodes', 'workloads'] as const;

/**
 * Reads every table of a SQLite store (read-only; the server keeps running). Each
 * row keeps its version columns (`version`, `resource_version`), so an update that
 * wrote the same values still shows. Left out, and said so where used: a token's
 * `last_used_at` (bookkeeping of authentication, not of what the request asked) and
 * audit events (the record of a decision, expected for refusals).
 */
export function snapshotState(dbFile: string): StateSnapshot {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const tables: Record<string, unknown[]> = {};
    for (const t of TABLES) {
      const rows = db.prepare(`SELECT * FROM ${t}`).all() as Record<string, unknown>[];
      const kept = rows.map((r) => {
        if (t !== 'tokens') return r;
        const { last_used_at: _used, ...rest } = r;
        return rest;
      });
      tables[t] = kept.map((r) => JSON.stringify(r)).sort();
    }
    const events = db.prepare("SELECT * FROM events WHERE type <> 'audit' ORDER BY revision").all();
    const audit = db.prepare("SELECT count(*) AS n FROM events WHERE type = 'audit'").get() as { n: number };
    return { tables, events, auditCount: audit.n };
  } finally {
    db.close();
  }
}

/** Names what differs between two snapshots (tables and non-audit events), or [] when nothing does. */
export function stateDiff(before: StateSnapshot, after: StateSnapshot): string[] {
  const out: string[] = [];
  for (const [t, rows] of Object.entries(before.tables)) {
    const a = new Set(rows as string[]);
    const b = new Set((after.tables[t] ?? []) as string[]);
    for (const r of b) if (!a.has(r)) out.push(`${t}: new or changed row ${r}`);
    for (const r of a) if (!b.has(r)) out.push(`${t}: row gone or changed ${r}`);
  }
  if (after.events.length !== before.events.length) {
    out.push(`events: ${after.events.length - before.events.length} new non-audit event(s): ${JSON.stringify(after.events.slice(before.events.length))}`);
  }
  return out;
}
