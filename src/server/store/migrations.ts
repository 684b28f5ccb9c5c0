import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Versioned migrations, applied in name order at start. One list serves both
 * databases; the few type differences are decided by `dialect`.
 */
export function migrations(dialect: 'sqlite' | 'postgres'): MigrationProvider {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  const list: Record<string, Migration> = {
    '0001-initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('accounts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('root', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('identities')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('tokens')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
          .addColumn('identity_id', 'text')
          .addColumn('node_id', 'text')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text')
          .addColumn('revoked_at', 'text')
          .addColumn('last_used_at', 'text')
          .execute();
        await db.schema.createIndex('tokens_node').on('tokens').column('node_id').execute();
        await db.schema
          .createTable('subnets')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('slug', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.unique())
          .addColumn('region', 'text', (c) => c.notNull())
          .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
          .addColumn('runtime_policy', 'text')
          .addColumn('developer_mode', 'text', (c) => c.notNull())
          .addColumn('provider_mode', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('admission_entries')
          .addColumn('subnet_id', 'text', (c) => c.notNull().references('subnets.id').onDelete('cascade'))
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('subject_kind', 'text', (c) => c.notNull())
          .addColumn('subject_id', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('admission_entries_pk', ['subnet_id', 'type', 'subject_kind', 'subject_id'])
          .execute();
        await db.schema
          .createTable('approvals')
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('subnet_id', 'text', (c) => c.notNull().references('subnets.id').onDelete('cascade'))
          .addColumn('at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('approvals_pk', ['account_id', 'subnet_id'])
          .execute();
        await db.schema
          .createTable('fleets')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('nodes')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
          .addColumn('fleet_id', 'text')
          .addColumn('subnet_id', 'text', (c) => c.notNull().references('subnets.id'))
          .addColumn('runtime_profile', 'text', (c) => c.notNull())
          .addColumn('report', 'text')
          .addColumn('connected', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_heartbeat_at', 'text')
          .addColumn('conditions', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint('nodes_subnet_name', ['subnet_id', 'name'])
          .execute();
        await db.schema
          .createTable('workloads')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
          .addColumn('namespace', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('subnet_id', 'text', (c) => c.notNull().references('subnets.id'))
          .addColumn('owner_id', 'text')
          .addColumn('spec', 'text', (c) => c.notNull())
          .addColumn('labels', 'text')
          .addColumn('annotations', 'text')
          .addColumn('isolation_class', 'text', (c) => c.notNull())
          .addColumn('isolation_source', 'text', (c) => c.notNull())
          .addColumn('phase', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('node_id', 'text')
          .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('cpu_millis', bigint, (c) => c.notNull().defaultTo(0))
          .addColumn('memory_bytes', bigint, (c) => c.notNull().defaultTo(0))
          .addColumn('gpu_ids', 'text')
          .addColumn('resource_version', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('deleted_at', 'text')
          .execute();
        // One live workload per (account, namespace, kind, name); a deleting one may linger.
        await sql`CREATE UNIQUE INDEX workloads_live_name ON workloads (account_id, namespace, kind, name) WHERE deleted_at IS NULL`.execute(db);
        await db.schema.createIndex('workloads_node').on('workloads').column('node_id').execute();
        await db.schema.createIndex('workloads_owner').on('workloads').column('owner_id').execute();
        await db.schema.createIndex('workloads_phase').on('workloads').columns(['phase', 'kind']).execute();
        await db.schema.createIndex('workloads_subnet').on('workloads').column('subnet_id').execute();
        await db.schema
          .createTable('events')
          .addColumn('revision', bigint, (c) => (dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('account_id', 'text')
          .addColumn('peer_account_id', 'text')
          .addColumn('subject_kind', 'text', (c) => c.notNull())
          .addColumn('subject_id', 'text', (c) => c.notNull())
          .addColumn('subject_name', 'text')
          .addColumn('subnet_id', 'text')
          .addColumn('node_id', 'text')
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('data', 'text')
          .execute();
        await db.schema.createIndex('events_account').on('events').columns(['account_id', 'revision']).execute();
        await db.schema.createIndex('events_peer').on('events').columns(['peer_account_id', 'revision']).execute();
        await db.schema.createIndex('events_node').on('events').columns(['node_id', 'revision']).execute();
        await db.schema.createIndex('events_subject').on('events').columns(['subject_id', 'revision']).execute();
      },
    },
  };
  return { getMigrations: async () => list };
}
