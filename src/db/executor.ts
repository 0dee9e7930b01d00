import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Where a repository runs its SQL: the store's pool, or an open transaction. Repositories are built over the
 * pool (`createXRepository(db)`) and follow one convention for transactions:
 * - a write that belongs to a caller's unit of work takes the transaction first: `insert(tx, row)`;
 * - a statement that stands alone (a purge, a claim, a lookup) runs on the repository's own pool;
 * - a read a caller may need inside its transaction takes it last, optional: `find(id, tx?)`.
 */
export type Executor = Kysely<Database>;

/**
 * An open transaction. Only a transaction is accepted where a write must commit with others (an effect and its
 * audit record), so the pool cannot be passed there by mistake.
 */
export type Tx = Transaction<Database>;

/** Opens transactions: how services make several repositories' writes commit or vanish together. */
export interface Transactor {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/** The store's transactions (read committed on PostgreSQL; SQLite serialises writers). */
export function createTransactor(db: Kysely<Database>): Transactor {
  return { transaction: (work) => db.transaction().execute(work) };
}
