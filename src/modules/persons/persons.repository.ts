import type { Kysely } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, PersonTable } from '../../db/schema.js';

export type PersonRow = PersonTable;

/**
 * SQL for persons. A person whose biometrics are erased stays (status `deleted`) so the citizen keeps their
 * history until they close the account (status `closed`).
 */
export function createPersonsRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: PersonRow): Promise<void> {
      await tx.insertInto('persons').values(row).execute();
    },

    findActive(id: string): Promise<PersonRow | undefined> {
      return db
        .selectFrom('persons')
        .selectAll()
        .where('id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirst();
    },

    /** A person in any state but closed. */
    findOpen(id: string): Promise<PersonRow | undefined> {
      return db
        .selectFrom('persons')
        .selectAll()
        .where('id', '=', id)
        .where('status', '!=', 'closed')
        .executeTakeFirst();
    },

    async markDeleted(tx: Tx, id: string, at: string): Promise<boolean> {
      const r = await tx
        .updateTable('persons')
        .set({ status: 'deleted', deleted_at: at })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async markClosed(tx: Tx, id: string): Promise<boolean> {
      const r = await tx
        .updateTable('persons')
        .set({ status: 'closed' })
        .where('id', '=', id)
        .where('status', '=', 'deleted')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

export type PersonsRepository = ReturnType<typeof createPersonsRepository>;
