import { AppError, type ErrorCode } from '../errors/app-error.js';

/** The kinds of integrity constraint the store enforces. */
export type ConstraintKind = 'unique' | 'foreign_key' | 'not_null' | 'check';

/** What a driver error says was violated; `table` is unknown for SQLite's foreign keys. */
export interface ConstraintViolation {
  readonly kind: ConstraintKind;
  readonly table: string | undefined;
}

const POSTGRES_CODES: Record<string, ConstraintKind> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '23502': 'not_null',
  '23514': 'check',
};

const SQLITE_CODES: Record<string, ConstraintKind> = {
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
  SQLITE_CONSTRAINT_NOTNULL: 'not_null',
  SQLITE_CONSTRAINT_CHECK: 'check',
};

/**
 * The constraint a driver error reports, on either dialect, or `undefined` for any other error.
 * @example constraintViolation(e) // { kind: 'unique', table: 'segments' }
 */
export function constraintViolation(e: unknown): ConstraintViolation | undefined {
  const err = e as { code?: unknown; table?: unknown; message?: unknown };
  if (typeof err?.code !== 'string') return undefined;
  const pg = POSTGRES_CODES[err.code];
  if (pg) return { kind: pg, table: typeof err.table === 'string' ? err.table : undefined };
  const sqlite = SQLITE_CODES[err.code];
  if (!sqlite) return undefined;
  // SQLite names the table in the message: "UNIQUE constraint failed: segments.id".
  const table = typeof err.message === 'string' ? /constraint failed: (\w+)\./.exec(err.message)?.[1] : undefined;
  return { kind: sqlite, table };
}

/** A primary-key or unique violation (a concurrent twin won a race, or the row exists). */
export function isUniqueViolation(e: unknown): boolean {
  return constraintViolation(e)?.kind === 'unique';
}

/**
 * The one table from a violated constraint to the error a caller gets (logto's `koa-slonik-error-handler`
 * shape). The error handler consults it, so a service lets the store refuse a duplicate instead of reading
 * first and racing; a violation not listed here is a defect and stays a 500.
 */
const CONSTRAINT_ERRORS: readonly {
  readonly kind: ConstraintKind;
  readonly table: string;
  readonly code: ErrorCode;
  readonly message: string;
}[] = [
  { kind: 'unique', table: 'segments', code: 'segment.exists', message: 'a segment with this id already exists' },
  {
    kind: 'unique',
    table: 'guardianships',
    code: 'guardian.exists',
    message: 'this guardianship is already recorded (or was ended: record anew)',
  },
  // Two applications for one number raced past each other's check: the store lets only one hold it.
  {
    kind: 'unique',
    table: 'telecom_contracts',
    code: 'telecom.number_in_use',
    message: 'this number is already served by a contract',
  },
  {
    kind: 'unique',
    table: 'telecom_port_requests',
    code: 'telecom.port_pending',
    message: 'a port request for this number is already pending',
  },
  {
    kind: 'unique',
    table: 'school_pupils',
    code: 'school.pupil_exists',
    message: 'this person is already a pupil here',
  },
];

/** The {@link AppError} a constraint violation stands for, if the table lists it. */
export function constraintError(e: unknown): AppError | undefined {
  const violation = constraintViolation(e);
  if (!violation) return undefined;
  const known = CONSTRAINT_ERRORS.find((c) => c.kind === violation.kind && c.table === violation.table);
  return known && new AppError(known.code, known.message);
}
