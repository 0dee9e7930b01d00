import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, SchoolMealTable, SchoolPupilTable, SchoolTable } from '../../db/schema.js';

export type SchoolRow = Selectable<SchoolTable>;
export type PupilRow = Selectable<SchoolPupilTable>;
export type MealRow = Selectable<SchoolMealTable>;

/** Listing bound: a page is at most this many rows. */
const MAX_LIST = 500;

/** SQL for the school meals service's own tables: schools, pupils and meals. */
export function createSchoolsRepository(db: Kysely<Database>) {
  return {
    async insertSchool(row: SchoolRow): Promise<void> {
      await db.insertInto('schools').values(row).execute();
    },

    async school(id: string): Promise<SchoolRow | undefined> {
      return db.selectFrom('schools').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async insertPupil(row: PupilRow): Promise<void> {
      await db.insertInto('school_pupils').values(row).execute();
    },

    /** The school's pupils (the party's pseudonyms): the canteen's group gallery. */
    async pupilRefs(schoolId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('school_pupils')
        .select('person_ref')
        .where('school_id', '=', schoolId)
        .execute();
      return rows.map((r) => r.person_ref);
    },

    /**
     * The pupil, with their row locked for the rest of the transaction (an update that changes nothing takes
     * the row lock on PostgreSQL; SQLite serialises writers anyway), so two tills cannot both spend the last of
     * one day's allowance.
     */
    async lockPupil(tx: Tx, schoolId: string, personRef: string): Promise<PupilRow | undefined> {
      await tx
        .updateTable('school_pupils')
        .set((eb) => ({ daily_allowance: eb.ref('daily_allowance') }))
        .where('school_id', '=', schoolId)
        .where('person_ref', '=', personRef)
        .execute();
      return tx
        .selectFrom('school_pupils')
        .selectAll()
        .where('school_id', '=', schoolId)
        .where('person_ref', '=', personRef)
        .executeTakeFirst();
    },

    /** What the pupil was served that day. */
    async spentOn(tx: Tx, pupilId: string, day: string): Promise<number> {
      const row = await tx
        .selectFrom('school_meals')
        .select((eb) => eb.fn.sum<number | string | null>('amount').as('spent'))
        .where('pupil_id', '=', pupilId)
        .where('day', '=', day)
        .where('decision', '=', 'serve')
        .executeTakeFirst();
      return Number(row?.spent ?? 0);
    },

    async insertMeal(tx: Tx, row: MealRow): Promise<void> {
      await tx.insertInto('school_meals').values(row).execute();
    },

    /** A day's meals at a school: served and refused counts, the pupils served and the amount served. */
    async summary(schoolId: string, day: string) {
      const rows = await db
        .selectFrom('school_meals')
        .select((eb) => [
          'decision',
          eb.fn.countAll<number | string>().as('meals'),
          eb.fn.count<number | string>('pupil_id').distinct().as('pupils'),
          eb.fn.sum<number | string | null>('amount').as('amount'),
        ])
        .where('school_id', '=', schoolId)
        .where('day', '=', day)
        .groupBy('decision')
        .execute();
      return rows.map((r) => ({
        decision: r.decision,
        meals: Number(r.meals),
        pupils: Number(r.pupils),
        amount: Number(r.amount ?? 0),
      }));
    },

    /** Meals served to a person, known to schools' parties under these pseudonyms; newest first. */
    async servedTo(names: readonly { relyingPartyId: string; pseudonym: string }[], limit: number) {
      if (names.length === 0) return [];
      return db
        .selectFrom('school_meals as m')
        .innerJoin('school_pupils as p', 'p.id', 'm.pupil_id')
        .innerJoin('schools as s', 's.id', 'm.school_id')
        .select(['s.id as schoolId', 's.name as schoolName', 'm.event_id as eventId', 'm.amount', 'm.day', 'm.at'])
        .where('m.decision', '=', 'serve')
        .where((eb) =>
          eb.or(
            names.map((n) =>
              eb.and([eb('s.relying_party_id', '=', n.relyingPartyId), eb('p.person_ref', '=', n.pseudonym)]),
            ),
          ),
        )
        .orderBy('m.at', 'desc')
        .limit(Math.min(limit, MAX_LIST))
        .execute();
    },
  };
}

export type SchoolsRepository = ReturnType<typeof createSchoolsRepository>;
