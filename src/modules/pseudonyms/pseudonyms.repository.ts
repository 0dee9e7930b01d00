import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, PseudonymTable } from '../../db/schema.js';

export type PseudonymRow = Selectable<PseudonymTable>;

/** Rows per insert: well under either dialect's parameter limit (4 parameters a row). */
const CHUNK = 500;

/** SQL for the pseudonyms handed out to relying parties (the only way back from a pseudonym to a person). */
export function createPseudonymsRepository(db: Kysely<Database>) {
  return {
    /** Records pseudonyms; one already recorded is kept as it is. */
    async insertMany(tx: Tx, rows: readonly PseudonymRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += CHUNK) {
        await tx
          .insertInto('pseudonyms')
          .values(rows.slice(i, i + CHUNK))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    },

    async personOf(relyingPartyId: string, pseudonym: string, tx?: Tx): Promise<string | undefined> {
      const row = await (tx ?? db)
        .selectFrom('pseudonyms')
        .select('person_id')
        .where('relying_party_id', '=', relyingPartyId)
        .where('pseudonym', '=', pseudonym)
        .executeTakeFirst();
      return row?.person_id;
    },

    /** Every party's pseudonym of one person (their own view: which services know them, under which name). */
    async ofPerson(personId: string): Promise<{ relying_party_id: string; pseudonym: string }[]> {
      return db
        .selectFrom('pseudonyms')
        .select(['relying_party_id', 'pseudonym'])
        .where('person_id', '=', personId)
        .execute();
    },

    /** Every pseudonym a person was given, with the party it was given to. */
    async namesOf(personId: string): Promise<{ relyingPartyId: string; pseudonym: string }[]> {
      return db
        .selectFrom('pseudonyms')
        .select(['relying_party_id as relyingPartyId', 'pseudonym'])
        .where('person_id', '=', personId)
        .execute();
    },

    async deleteOf(tx: Tx, personId: string): Promise<void> {
      await tx.deleteFrom('pseudonyms').where('person_id', '=', personId).execute();
    },
  };
}

export type PseudonymsRepository = ReturnType<typeof createPseudonymsRepository>;
