import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { openStore } from '../../src/server/store/open-store.js';
import { storeConformance } from './store-conformance.js';

storeConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'idyl-store-'));
  const file = join(dir, 'idyl.db');
  return {
    open: () => openStore({ kind: 'sqlite', file }),
    raw: async (sql) => {
      const db = new Sqlite(file);
      db.exec(sql);
      db.close();
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
