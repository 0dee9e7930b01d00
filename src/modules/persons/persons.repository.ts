import type { Kysely } from 'kysely';
import type { Database, PersonTable } from '../../db/schema.js';

export type PersonRow = PersonTable;

/**
 * SQL for persons. A person whose biometrics are erased stays (status `deleted`) so the citizen keeps their
 * history until they close the account (status `closed`).
 */
export const personsRepository = {
  async insert(db: Kysely<Database>, row: PersonRow): Promise<void> {
    await db.insertInto('persons').values(row).execute();
  },

  findActive(db: Kysely<Database>, id: string): Promise<PersonRow | undefined> {
    return db.selectFrom('persons').selectAll().where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
  },

  /** A person in any state but closed. */
  findOpen(db: Kysely<Database>, id: string): Promise<PersonRow | undefined> {
    return db.selectFrom('persons').selectAll().where('id', '=', id).where('status', '!=', 'closed').executeTakeFirst();
  },

  async markDeleted(db: Kysely<Database>, id: string, at: string): Promise<boolean> {
    const r = await db
      .updateTable('persons')
      .set({ status: 'deleted', deleted_at: at })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async markClosed(db: Kysely<Database>, id: string): Promise<boolean> {
    const r = await db
      .updateTable('persons')
      .set({ status: 'closed' })
      .where('id', '=', id)
      .where('status', '=', 'deleted')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
};
