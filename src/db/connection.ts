import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import type { Config } from '../config/config.js';
import type { Dialect } from './dialect.js';
import { createPostgresPool } from './postgres-pool.js';
import type { Database } from './schema.js';
import { prepareSqliteFile, SqliteStoreDialect } from './sqlite-store.js';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where the data lives, for people: a file path, or the PostgreSQL URL without its password. */
  readonly location: string;
  close(): Promise<void>;
}

/**
 * Opens the configured store: one SQLite file (WAL) by default, or a PostgreSQL pool. `warn` hears of
 * connections the PostgreSQL server dropped (the process carries on; see postgres-pool.ts).
 */
export function openStore(
  config: Config['database'],
  warn: (message: string, fields: Record<string, unknown>) => void = (message, fields) =>
    console.warn(`oblik: ${message}`, fields),
): Store {
  if (config.dialect === 'sqlite') {
    prepareSqliteFile(config.file);
    const sqlite = new BetterSqlite3(config.file);
    sqlite.pragma('journal_mode = WAL');
    // FULL: a committed enrolment survives power loss, not only a process crash.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteStoreDialect(sqlite) });
    return { db, dialect: 'sqlite', location: config.file, close: () => db.destroy() };
  }
  const pool = createPostgresPool(config, warn);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location: redactUrl(config.url), close: () => db.destroy() };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
