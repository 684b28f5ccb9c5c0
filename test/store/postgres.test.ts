import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/server/store/open-store.js';
import { storeConformance } from './store-conformance.js';

/** The PostgreSQL that .ci/run starts (trust auth on loopback); IDYL_TEST_PG overrides. */
const ADMIN_URL = process.env.IDYL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

storeConformance('postgres', async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    return `PostgreSQL at ${ADMIN_URL} is not reachable: ${(err as Error).message}`;
  }
  const db = `idyl_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${db}`);
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${db}`);
  return {
    open: () => openStore({ kind: 'postgres', url }),
    raw: async (sql) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(sql);
      await c.end();
    },
    cleanup: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    },
  };
});
