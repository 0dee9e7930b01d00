import { Migrator, type Kysely, type MigrationResult } from 'kysely';
import type { Config } from '../config/config.js';
import { openStore } from './connection.js';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: 'oblik_migrations',
    migrationLockTableName: 'oblik_migrations_lock',
  });
}

/** Applies every pending migration (under the migrator's lock, so concurrent starts are safe). */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResult[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) throw asError(error);
  return results ?? [];
}

/**
 * Applies pending migrations to the configured store. A migration may run far longer than any request (an
 * index over a large table), so on PostgreSQL it runs on a connection of its own with no statement timeout;
 * `db` (the store requests use, with its timeouts) serves SQLite, which has none.
 */
export async function migrateStore(config: Config['database'], db: Kysely<Database>): Promise<MigrationResult[]> {
  if (config.dialect !== 'postgres') return migrateToLatest(db);
  const own = openStore({ ...config, poolSize: 1, statementTimeoutMs: 0 });
  try {
    return await migrateToLatest(own.db);
  } finally {
    await own.close();
  }
}

/** Reverts every migration: tests use it to prove each `down` undoes its `up`. */
export async function migrateToNothing(db: Kysely<Database>): Promise<void> {
  const m = migrator(db);
  for (;;) {
    const { error, results } = await m.migrateDown();
    if (error) throw asError(error);
    if (!results?.length) return;
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(`migration failed: ${JSON.stringify(e)}`);
}
