import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, PersonContactTable } from '../../db/schema.js';

export type ContactRow = Selectable<PersonContactTable>;

/** SQL for citizens' contact details (stored only sealed). */
export function createContactsRepository(db: Kysely<Database>) {
  return {
    /** Stores a person's contact, replacing the one they had. */
    async upsert(row: ContactRow, tx?: Tx): Promise<void> {
      await (tx ?? db)
        .insertInto('person_contacts')
        .values(row)
        .onConflict((oc) => oc.column('person_id').doUpdateSet({ ...row }))
        .execute();
    },

    find(personId: string): Promise<ContactRow | undefined> {
      return db.selectFrom('person_contacts').selectAll().where('person_id', '=', personId).executeTakeFirst();
    },

    async deleteOf(tx: Tx, personId: string): Promise<void> {
      await tx.deleteFrom('person_contacts').where('person_id', '=', personId).execute();
    },
  };
}

export type ContactsRepository = ReturnType<typeof createContactsRepository>;
