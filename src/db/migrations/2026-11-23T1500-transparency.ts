import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

/**
 * The transparency log: each audit record becomes a leaf (its person's keyed reference, its leaf hash and
 * index, assigned when the log integrates it), signed tree heads, the log's size (whose row is also the lock
 * that serialises integration across instances), and deployment-wide secrets wrapped by the master key.
 * Counts and instants are 64-bit on PostgreSQL (SQLite's integer already is).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  const int64 = pg ? 'bigint' : 'integer';

  await db.schema.alterTable('audit_events').addColumn('person_ref', 'text').execute();
  await db.schema.alterTable('audit_events').addColumn('leaf_hash', 'text').execute();
  await db.schema.alterTable('audit_events').addColumn('leaf_index', int64).execute();
  await db.schema.createIndex('audit_leaf_idx').on('audit_events').column('leaf_index').unique().execute();
  // What integration scans for: records not yet in the log, oldest first (a partial index stays tiny).
  await db.schema
    .createIndex('audit_pending_idx')
    .on('audit_events')
    .column('seq')
    .where(sql.ref('leaf_index'), 'is', null)
    .execute();

  await db.schema
    .createTable('tree_heads')
    .addColumn('tree_size', int64, (c) => c.primaryKey())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('timestamp', int64, (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('log_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('tree_size', int64, (c) => c.notNull())
    .execute();
  await sql`insert into log_state (id, tree_size) values (1, 0)`.execute(db);

  await db.schema
    .createTable('system_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('wrapped_key', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text')
    .addColumn('master_key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('system_keys').execute();
  await db.schema.dropTable('log_state').execute();
  await db.schema.dropTable('tree_heads').execute();
  await db.schema.dropIndex('audit_pending_idx').execute();
  await db.schema.dropIndex('audit_leaf_idx').execute();
  for (const column of ['leaf_index', 'leaf_hash', 'person_ref']) {
    await db.schema.alterTable('audit_events').dropColumn(column).execute();
  }
}
