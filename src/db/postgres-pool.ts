import pg from 'pg';

export interface PostgresPoolSettings {
  readonly url: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  /** 0 for none (migrations only). */
  readonly statementTimeoutMs: number;
}

const INT8_OID = 20;

/** How long past the server's statement timeout the client waits before it gives the connection up. */
const READ_GRACE_MS = 2_000;

/**
 * A client that gives up a connection whose server stops answering. The server cancels a slow statement
 * itself (statement_timeout, answered 57014); a server that is gone or black-holed answers nothing, so past
 * that timeout (and a grace) the socket is destroyed: the pending query fails at once ("Connection
 * terminated"), the client is no longer queryable, and the pool discards it on release instead of reusing it.
 */
class GuardedClient extends pg.Client {
  readTimeoutMs = 0;

  // Kysely calls query(sql, params) and query(cursor); both are timed. pg's overloads are wider than this.
  override query(...args: unknown[]): never {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (this.readTimeoutMs > 0 && result && typeof (result as Promise<unknown>).then === 'function') {
      const timer = setTimeout(() => {
        (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      }, this.readTimeoutMs);
      timer.unref();
      const clear = () => clearTimeout(timer);
      (result as Promise<unknown>).then(clear, clear);
    }
    return result as never;
  }
}

/**
 * The PostgreSQL pool, hardened against a store that goes away:
 * - every client has an 'error' listener for its whole life (pg emits 'error' on a checked-out client when
 *   its backend is terminated; unheard, that event ends the process), and the pool has one for idle clients;
 * - connecting, or waiting for a pooled connection, gives up after `connectTimeoutMs`;
 * - the server cancels statements after `statementTimeoutMs`, and the client abandons a connection that does
 *   not answer shortly after that.
 * Failed queries reject as usual; the error handler answers them 503 `store.unavailable`, and the next
 * request gets a fresh connection, so the server recovers without a restart.
 */
export function createPostgresPool(
  settings: PostgresPoolSettings,
  warn: (message: string, fields: Record<string, unknown>) => void,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // 0: no timeout (migrations); pg then sends none and the server's default (none) applies.
    statement_timeout: settings.statementTimeoutMs,
    keepAlive: true,
    Client: GuardedClient,
    // Audit sequence numbers are bigint; they stay far below 2^53, so numbers are exact.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (v: string) => Number(v)
          : (pg.types.getTypeParser(oid, format ?? 'text') as (v: string) => unknown)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('connect', (client) => {
    (client as unknown as GuardedClient).readTimeoutMs =
      settings.statementTimeoutMs > 0 ? settings.statementTimeoutMs + READ_GRACE_MS : 0;
    client.on('error', (e: Error & { code?: string }) =>
      warn('PostgreSQL connection lost; the query on it fails and the pool opens a new one', {
        error: e.message,
        code: e.code,
      }),
    );
  });
  // An idle connection dropped by the server (a restart, a failover, an administrator) is reported here; the
  // pool discards it and connects afresh on the next query.
  pool.on('error', (e: Error & { code?: string }) =>
    warn('PostgreSQL dropped an idle connection; reconnecting on demand', { error: e.message, code: e.code }),
  );
  return pool;
}
