import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { CitizenSessionTable, Database, SignInCodeTable } from '../../db/schema.js';

export type CitizenSessionRow = Selectable<CitizenSessionTable>;
export type SignInCodeRow = Selectable<SignInCodeTable>;

/** SQL for citizen sessions and one-time sign-in codes (both stored only as SHA-256 of the secret). */
export function createCitizenSessionsRepository(db: Kysely<Database>) {
  return {
    async insertSession(tx: Tx, row: CitizenSessionRow): Promise<void> {
      await tx.insertInto('citizen_sessions').values(row).execute();
    },

    findSession(tokenHash: string): Promise<CitizenSessionRow | undefined> {
      return db.selectFrom('citizen_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },

    async endSession(tokenHash: string, at: string): Promise<void> {
      await db.updateTable('citizen_sessions').set({ ended_at: at }).where('token_hash', '=', tokenHash).execute();
    },

    async endAllOf(tx: Tx, personId: string, at: string): Promise<void> {
      await tx
        .updateTable('citizen_sessions')
        .set({ ended_at: at })
        .where('person_id', '=', personId)
        .where('ended_at', 'is', null)
        .execute();
    },

    async insertCode(tx: Tx, row: SignInCodeRow): Promise<void> {
      await tx.insertInto('sign_in_codes').values(row).execute();
    },

    /** Uses a code once: true only for the first use of an unexpired code issued for this person. */
    async useCode(tx: Tx, codeHash: string, personId: string, at: string): Promise<boolean> {
      const r = await tx
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
    async failedSignInsSince(personId: string, since: string): Promise<number> {
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
}

export type CitizenSessionsRepository = ReturnType<typeof createCitizenSessionsRepository>;
