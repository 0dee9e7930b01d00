import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { constraintError, constraintViolation, isUniqueViolation } from './constraint-errors.js';

/** The error a real SQLite statement throws. */
function sqliteError(statement: string): unknown {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  db.exec('create table segments (id text primary key, name text not null)');
  db.exec(
    'create table guardianships (minor_id text references segments(id), guardian_id text, primary key (minor_id, guardian_id))',
  );
  db.exec("insert into segments values ('moscow', 'Moscow')");
  db.exec("insert into guardianships values ('moscow', 'g')");
  try {
    db.exec(statement);
  } catch (e) {
    return e;
  } finally {
    db.close();
  }
  throw new Error(`${statement} did not fail`);
}

describe('constraint errors', () => {
  it("reads SQLite's violations, with the table where SQLite names it", () => {
    expect(constraintViolation(sqliteError("insert into segments values ('moscow', 'again')"))).toEqual({
      kind: 'unique',
      table: 'segments',
    });
    expect(constraintViolation(sqliteError("insert into guardianships values ('moscow', 'g')"))).toEqual({
      kind: 'unique',
      table: 'guardianships',
    });
    expect(constraintViolation(sqliteError("insert into guardianships values ('atlantis', 'g')"))).toEqual({
      kind: 'foreign_key',
      table: undefined,
    });
    expect(constraintViolation(sqliteError("insert into segments values ('kazan', null)"))).toEqual({
      kind: 'not_null',
      table: 'segments',
    });
  });

  it("reads PostgreSQL's violations by SQLSTATE and table", () => {
    const pg = (code: string, table: string) => Object.assign(new Error('violation'), { code, table });
    expect(constraintViolation(pg('23505', 'segments'))).toEqual({ kind: 'unique', table: 'segments' });
    expect(constraintViolation(pg('23503', 'templates'))).toEqual({ kind: 'foreign_key', table: 'templates' });
    expect(isUniqueViolation(pg('23505', 'idempotency_records'))).toBe(true);
    expect(isUniqueViolation(pg('40001', 'segments'))).toBe(false);
  });

  it('maps only the violations the table lists, to their stable errors', () => {
    expect(constraintError(sqliteError("insert into segments values ('moscow', 'again')"))).toMatchObject({
      code: 'segment.exists',
      status: 409,
    });
    expect(constraintError(sqliteError("insert into guardianships values ('moscow', 'g')"))).toMatchObject({
      code: 'guardian.exists',
      status: 409,
    });
    // A violation nobody listed is a defect: it stays an internal error.
    expect(constraintError(sqliteError("insert into segments values ('kazan', null)"))).toBeUndefined();
    expect(constraintError(new Error('ECONNREFUSED'))).toBeUndefined();
    expect(constraintError(undefined)).toBeUndefined();
  });
});
