import { PostgresAdapter, SqliteAdapter, type Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Which SQL dialect a Kysely instance speaks, for the few places (migrations, segment locks) that must branch on it. */
export function dialectOf<DB>(db: Kysely<DB>): Dialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof PostgresAdapter) return 'postgres';
  throw new Error('Oblik supports SQLite and PostgreSQL only');
}
