import type { Kysely } from 'kysely';
import type { Database, PersonConsentTable, PersonTable } from '../../db/schema.js';

export type PersonRow = PersonTable;
export type ConsentRow = PersonConsentTable;

/** Bound on one `IN (...)` list: SQLite's default limit on parameters is 32766. */
const MAX_IDS_PER_QUERY = 1000;

/** SQL for persons and their consents. A deleted person stays as a tombstone (no biometrics) for the audit. */
export const personsRepository = {
  async insert(db: Kysely<Database>, row: PersonRow): Promise<void> {
    await db.insertInto('persons').values(row).execute();
  },

  async insertConsents(db: Kysely<Database>, rows: readonly ConsentRow[]): Promise<void> {
    if (rows.length)
      await db
        .insertInto('person_consents')
        .values([...rows])
        .execute();
  },

  findActive(db: Kysely<Database>, id: string): Promise<PersonRow | undefined> {
    return db.selectFrom('persons').selectAll().where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
  },

  async consentsOf(db: Kysely<Database>, personId: string): Promise<Set<string>> {
    const rows = await db.selectFrom('person_consents').select('purpose').where('person_id', '=', personId).execute();
    return new Set(rows.map((r) => r.purpose));
  },

  listConsents(db: Kysely<Database>, personId: string): Promise<ConsentRow[]> {
    return db.selectFrom('person_consents').selectAll().where('person_id', '=', personId).orderBy('purpose').execute();
  },

  /** Of `personIds`, the active people who consented to `purpose`. */
  async activeWithConsent(db: Kysely<Database>, personIds: readonly string[], purpose: string): Promise<Set<string>> {
    if (personIds.length > MAX_IDS_PER_QUERY) throw new RangeError(`at most ${MAX_IDS_PER_QUERY} ids per query`);
    if (personIds.length === 0) return new Set();
    const rows = await db
      .selectFrom('persons')
      .innerJoin('person_consents', 'person_consents.person_id', 'persons.id')
      .select('persons.id')
      .where('persons.id', 'in', [...personIds])
      .where('persons.status', '=', 'active')
      .where('person_consents.purpose', '=', purpose)
      .execute();
    return new Set(rows.map((r) => r.id));
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

  async deleteConsents(db: Kysely<Database>, personId: string): Promise<void> {
    await db.deleteFrom('person_consents').where('person_id', '=', personId).execute();
  },

  async countActive(db: Kysely<Database>): Promise<number> {
    const r = await db
      .selectFrom('persons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
};
