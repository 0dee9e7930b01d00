import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, SegmentTable } from '../../db/schema.js';

export type SegmentRow = Selectable<SegmentTable>;

/** SQL for segments. */
export const segmentsRepository = {
  async insert(db: Kysely<Database>, row: Insertable<SegmentTable>): Promise<void> {
    await db.insertInto('segments').values(row).execute();
  },

  find(db: Kysely<Database>, id: string): Promise<SegmentRow | undefined> {
    return db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
  },

  list(db: Kysely<Database>): Promise<SegmentRow[]> {
    return db.selectFrom('segments').selectAll().orderBy('id').execute();
  },

  async setAgeRules(
    db: Kysely<Database>,
    id: string,
    rules: { ageOfConsent: number; minorPurposes: readonly string[] },
  ) {
    await db
      .updateTable('segments')
      .set({ age_of_consent: rules.ageOfConsent, minor_purposes: JSON.stringify(rules.minorPurposes) })
      .where('id', '=', id)
      .execute();
  },
};

/** A segment's rules for minors, parsed. */
export function ageRulesOf(row: SegmentRow): { ageOfConsent: number; minorPurposes: string[] } {
  return { ageOfConsent: row.age_of_consent, minorPurposes: JSON.parse(row.minor_purposes) as string[] };
}
