import type { Kysely, Selectable } from 'kysely';
import type { CitizenSessionTable, Database, SignInCodeTable } from '../../db/schema.js';

export type CitizenSessionRow = Selectable<CitizenSessionTable>;
export type SignInCodeRow = Selectable<SignInCodeTable>;

/** SQL for citizen sessions and one-time sign-in codes (both stored only as SHA-256 of the secret). */
export const citizenSessionsRepository = {
  async insertSession(db: Kysely<Database>, row: CitizenSessionRow): Promise<void> {
    await db.insertInto('citizen_sessions').values(row).execute();
  },

  findSession(db: Kysely<Database>, tokenHash: string): Promise<CitizenSessionRow | undefined> {
    return db.selectFrom('citizen_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  },

  async endSession(db: Kysely<Database>, tokenHash: string, at: string): Promise<void> {
    await db.updateTable('citizen_sessions').set({ ended_at: at }).where('token_hash', '=', tokenHash).execute();
  },

  async endAllOf(db: Kysely<Database>, personId: string, at: string): Promise<void> {
    await db
      .updateTable('citizen_sessions')
      .set({ ended_at: at })
      .where('person_id', '=', personId)
      .where('ended_at', 'is', null)
      .execute();
  },

  async insertCode(db: Kysely<Database>, row: SignInCodeRow): Promise<void> {
    await db.insertInto('sign_in_codes').values(row).execute();
  },

  /** Uses a code once: true only for the first use of an unexpired code issued for this person. */
  async useCode(db: Kysely<Database>, codeHash: string, personId: string, at: string): Promise<boolean> {
    const r = await db
      .updateTable('sign_in_codes')
      .set({ used_at: at })
      .where('code_hash', '=', codeHash)
      .where('person_id', '=', personId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** Failed face sign-ins of a person since `since` (from the audit trail: the throttle survives restarts). */
  async failedSignInsSince(db: Kysely<Database>, personId: string, since: string): Promise<number> {
    const r = await db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('person_id', '=', personId)
      .where('action', '=', 'citizen.sign_in')
      .where('result', '!=', 'match')
      .where('at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
};
