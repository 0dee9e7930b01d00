import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, PersonDocumentTable } from '../../db/schema.js';

export type PersonDocumentRow = Selectable<PersonDocumentTable>;

/** SQL for the registry's keyed hash of each person's identity document. */
export function createIdentityDocumentsRepository(db: Kysely<Database>) {
  return {
    async find(personId: string, tx?: Tx): Promise<PersonDocumentRow | undefined> {
      return (tx ?? db).selectFrom('person_documents').selectAll().where('person_id', '=', personId).executeTakeFirst();
    },

    async insert(tx: Tx, row: PersonDocumentRow): Promise<void> {
      await tx.insertInto('person_documents').values(row).execute();
    },

    async deleteOf(tx: Tx, personId: string): Promise<void> {
      await tx.deleteFrom('person_documents').where('person_id', '=', personId).execute();
    },
  };
}

export type IdentityDocumentsRepository = ReturnType<typeof createIdentityDocumentsRepository>;
