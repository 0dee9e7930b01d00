/**
 * Which driver errors mean "the store cannot serve this now" rather than "this request is wrong": the store
 * is unreachable, dropped the connection, timed out, or has no room left. The error handler turns these into
 * 503 `store.unavailable` or `store.full` (with the cause in the log), never a bare 500.
 */
export type StoreFailure = 'unavailable' | 'full';

/** Node socket errors and PostgreSQL SQLSTATEs of a lost, refused, overloaded or cancelled connection. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // class 08: connection exception
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  // admin_shutdown, crash_shutdown, cannot_connect_now (the backend was terminated or the server restarts)
  '57P01',
  '57P02',
  '57P03',
  // query_canceled: a statement timeout (OBLIK_DATABASE_STATEMENT_TIMEOUT_MS) cut a statement short
  '57014',
  // idle_in_transaction_session_timeout
  '25P03',
  // too_many_connections
  '53300',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
]);

/** PostgreSQL disk_full and out_of_memory-like insufficient resources, SQLite's full database or disk. */
const FULL_CODES = new Set(['53100', 'SQLITE_FULL']);

/**
 * node-postgres reports some connection losses with no code at all; their messages are stable across its
 * versions ("Connection terminated unexpectedly", "timeout exceeded when trying to connect", "Query read
 * timeout", "Client has encountered a connection error and is not queryable").
 */
const UNAVAILABLE_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end)/;

export function storeFailure(error: unknown): StoreFailure | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code) {
    // better-sqlite3 reports extended codes (SQLITE_IOERR_WRITE, SQLITE_FULL…): match on the primary code.
    const primary = code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code;
    if (FULL_CODES.has(primary)) return 'full';
    if (UNAVAILABLE_CODES.has(primary)) return 'unavailable';
  }
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return 'unavailable';
  return e.cause !== undefined && e.cause !== error ? storeFailure(e.cause) : undefined;
}
