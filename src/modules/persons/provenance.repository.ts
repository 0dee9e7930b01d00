import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, PersonProvenanceTable } from '../../db/schema.js';

export type ProvenanceRow = Selectable<PersonProvenanceTable>;

/** SQL for where a person's biometrics came from when another party handed them over. */
export function createProvenanceRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: Insertable<PersonProvenanceTable>): Promise<void> {
      await tx.insertInto('person_provenance').values(row).execute();
    },

    of(personId: string): Promise<ProvenanceRow | undefined> {
      return db.selectFrom('person_provenance').selectAll().where('person_id', '=', personId).executeTakeFirst();
    },
  };
}
