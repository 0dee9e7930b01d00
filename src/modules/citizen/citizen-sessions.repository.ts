import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { CitizenSessionTable, Database, SignInChallengeTable, SignInCodeTable } from '../../db/schema.js';

export type CitizenSessionRow = Selectable<CitizenSessionTable>;
export type SignInCodeRow = Selectable<SignInCodeTable>;
export type SignInChallengeRow = Selectable<SignInChallengeTable>;

/**
 * SQL for citizen sessions, sign-in challenges and one-time sign-in codes (every secret stored only as its
 * SHA-256).
 */
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

    async insertChallenge(tx: Tx, row: SignInChallengeRow): Promise<void> {
      await tx.insertInto('sign_in_challenges').values(row).execute();
    },

    /** A challenge that is still open (unused, unexpired) at `at`. */
    findOpenChallenge(tokenHash: string, at: string): Promise<SignInChallengeRow | undefined> {
      return db
        .selectFrom('sign_in_challenges')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
    },

    /** Sets a challenge's code (replacing any earlier one) unless `maxSends` codes were already sent for it. */
    async setChallengeCode(
      tokenHash: string,
      code: { hash: string; expiresAt: string },
      maxSends: number,
    ): Promise<boolean> {
      const r = await db
        .updateTable('sign_in_challenges')
        .set((eb) => ({ code_hash: code.hash, code_expires_at: code.expiresAt, codes_sent: eb('codes_sent', '+', 1) }))
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('codes_sent', '<', maxSends)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /**
     * Uses a challenge with its code, once: true only for the first use of the right, unexpired code while
     * fewer than `maxFailures` wrong ones were tried. One conditional update, so parallel guesses cannot share a use.
     */
    async useChallenge(tx: Tx, tokenHash: string, codeHash: string, at: string, maxFailures: number) {
      const r = await tx
        .updateTable('sign_in_challenges')
        .set({ used_at: at })
        .where('token_hash', '=', tokenHash)
        .where('code_hash', '=', codeHash)
        .where('code_expires_at', '>', at)
        .where('used_at', 'is', null)
        .where('failures', '<', maxFailures)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async countChallengeFailure(tokenHash: string): Promise<void> {
      await db
        .updateTable('sign_in_challenges')
        .set((eb) => ({ failures: eb('failures', '+', 1) }))
        .where('token_hash', '=', tokenHash)
        .execute();
    },

    async endChallengesOf(tx: Tx, personId: string, at: string): Promise<void> {
      await tx
        .updateTable('sign_in_challenges')
        .set({ used_at: at })
        .where('person_id', '=', personId)
        .where('used_at', 'is', null)
        .execute();
    },

    /** After a step-up: the session is a two-factor one from now on. */
    async stepUp(tx: Tx, tokenHash: string): Promise<boolean> {
      const r = await tx
        .updateTable('citizen_sessions')
        .set({ method: 'code+face' })
        .where('token_hash', '=', tokenHash)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

export type CitizenSessionsRepository = ReturnType<typeof createCitizenSessionsRepository>;
