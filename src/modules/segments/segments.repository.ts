import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, SegmentTable } from '../../db/schema.js';

export type SegmentRow = Selectable<SegmentTable>;

/** SQL for segments. */
export function createSegmentsRepository(db: Kysely<Database>) {
  const find = (id: string): Promise<SegmentRow | undefined> =>
    db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
  return {
    async insert(tx: Tx, row: Insertable<SegmentTable>): Promise<void> {
      await tx.insertInto('segments').values(row).execute();
    },

    find,

    /** A segment's rules for minors; `undefined` for an unknown segment. */
    async rulesOf(id: string): Promise<ReturnType<typeof ageRulesOf> | undefined> {
      const row = await find(id);
      return row && ageRulesOf(row);
    },

    list(): Promise<SegmentRow[]> {
      return db.selectFrom('segments').selectAll().orderBy('id').execute();
    },

    async setAgeRules(tx: Tx, id: string, rules: { ageOfConsent: number; minorPurposes: readonly string[] }) {
      await tx
        .updateTable('segments')
        .set({ age_of_consent: rules.ageOfConsent, minor_purposes: JSON.stringify(rules.minorPurposes) })
        .where('id', '=', id)
        .execute();
    },
  };
}

export type SegmentsRepository = ReturnType<typeof createSegmentsRepository>;

/** A segment's rules for minors, parsed. */
export function ageRulesOf(row: SegmentRow): { ageOfConsent: number; minorPurposes: string[] } {
  return { ageOfConsent: row.age_of_consent, minorPurposes: JSON.parse(row.minor_purposes) as string[] };
}
