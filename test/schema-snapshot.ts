import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../src/db/dialect.js';

/** What a schema is made of, each part as sorted one-line descriptions, so two schemas compare with toEqual. */
export interface SchemaSnapshot {
  readonly columns: string[];
  readonly indexes: string[];
  readonly foreignKeys: string[];
}

const MIGRATOR_TABLES = /^oblik_migrations/;

/**
 * The store's tables with their columns, every index (those of primary keys and unique constraints included)
 * with its columns, uniqueness and condition, and every foreign key with its target and actions, read from the
 * dialect's own catalogue.
 */
export async function schemaSnapshot(db: Kysely<any>): Promise<SchemaSnapshot> {
  const tables = (await db.introspection.getTables()).filter((t) => !MIGRATOR_TABLES.test(t.name));
  const columns = tables
    .map((t) => `${t.name}(${t.columns.map((c) => `${c.name}:${c.dataType}:${c.isNullable}`).join(',')})`)
    .sort();
  const names = tables.map((t) => t.name);
  const parts = dialectOf(db) === 'postgres' ? await postgresParts(db) : await sqliteParts(db, names);
  return { columns, indexes: parts.indexes.sort(), foreignKeys: parts.foreignKeys.sort() };
}

async function postgresParts(db: Kysely<any>) {
  const indexes = await sql<{ def: string }>`
    select indexdef as def from pg_indexes
    where schemaname = current_schema() and tablename not like 'oblik_migrations%'`.execute(db);
  const keys = await sql<{ def: string }>`
    select conrelid::regclass::text || ': ' || conname || ' ' || pg_get_constraintdef(oid) as def
    from pg_constraint
    where contype = 'f' and connamespace = current_schema()::regnamespace`.execute(db);
  return { indexes: indexes.rows.map((r) => r.def), foreignKeys: keys.rows.map((r) => r.def) };
}

async function sqliteParts(db: Kysely<any>, tables: string[]) {
  const indexes: string[] = [];
  const foreignKeys: string[] = [];
  for (const table of tables) {
    const list = await sql<{ name: string; unique: number; origin: string; partial: number }>`
      select name, "unique", origin, partial from pragma_index_list(${table})`.execute(db);
    for (const index of list.rows) {
      const cols = await sql<{
        name: string;
      }>`select name from pragma_index_info(${index.name}) order by seqno`.execute(db);
      const definition = await sql<{ sql: string | null }>`
        select sql from sqlite_master where type = 'index' and name = ${index.name}`.execute(db);
      const where = /\bwhere\b.*$/i.exec(definition.rows[0]?.sql ?? '')?.[0] ?? '';
      // Automatic indexes (primary keys, unique constraints) are named by position: name them by what they hold.
      const name = index.origin === 'c' ? index.name : `(${index.origin})`;
      const unique = index.unique ? 'unique ' : '';
      indexes.push(`${table}: ${unique}${name} (${cols.rows.map((c) => c.name).join(', ')}) ${where}`.trim());
    }
    const keys = await sql<{ from: string; table: string; to: string; on_update: string; on_delete: string }>`
      select "from", "table", "to", on_update, on_delete from pragma_foreign_key_list(${table})`.execute(db);
    for (const k of keys.rows) {
      foreignKeys.push(`${table}.${k.from} -> ${k.table}.${k.to} on update ${k.on_update} on delete ${k.on_delete}`);
    }
  }
  return { indexes, foreignKeys };
}
