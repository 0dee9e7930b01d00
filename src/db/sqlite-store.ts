import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';

/**
 * Creates the data directory (0700) and an empty database file (0600) before SQLite opens it, so that the
 * store, and the -wal and -shm files SQLite creates with the database file's own mode, are readable by this
 * user alone. Existing files and directories keep the mode their operator gave them.
 */
export function prepareSqliteFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/**
 * Kysely's SQLite dialect, with one difference: a rollback is issued only while a transaction is open. When a
 * write fails with SQLITE_FULL (or SQLITE_IOERR, SQLITE_NOMEM…), SQLite has already rolled the transaction
 * back itself; Kysely's own ROLLBACK would then fail with "cannot rollback - no transaction is active" and
 * that error would replace the real one (the disk is full) in the log and in the answer.
 */
export class SqliteStoreDialect extends SqliteDialect {
  constructor(private readonly database: BetterSqlite3.Database) {
    super({ database });
  }

  override createDriver(): Driver {
    const database = this.database;
    return new (class extends SqliteDriver {
      override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
        if (database.inTransaction) await super.rollbackTransaction(connection);
      }
    })({ database });
  }
}
