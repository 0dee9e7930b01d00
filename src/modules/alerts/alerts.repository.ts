import { sql, type Kysely } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, OperatorAlertTable } from '../../db/schema.js';

export type OperatorAlertRow = OperatorAlertTable;

/** SQL for enrolment attempt counts and operators' alerts. */
export function createAlertsRepository(db: Kysely<Database>) {
  return {
    /** Counts one attempt of the party in the window and returns the window's count: one atomic upsert. */
    async countAttempt(tx: Tx, relyingPartyId: string, windowStart: string): Promise<number> {
      const row = await tx
        .insertInto('enrolment_attempts')
        .values({ relying_party_id: relyingPartyId, window_start: windowStart, attempts: 1 })
        .onConflict((oc) =>
          oc
            .columns(['relying_party_id', 'window_start'])
            .doUpdateSet({ attempts: sql<number>`enrolment_attempts.attempts + 1` }),
        )
        .returning('attempts')
        .executeTakeFirstOrThrow();
      return Number(row.attempts);
    },

    /** Forgets the party's counts of windows that started before `before`. */
    async purgeAttempts(tx: Tx, relyingPartyId: string, before: string): Promise<void> {
      await tx
        .deleteFrom('enrolment_attempts')
        .where('relying_party_id', '=', relyingPartyId)
        .where('window_start', '<', before)
        .execute();
    },

    async insert(tx: Tx, row: OperatorAlertRow): Promise<void> {
      await tx.insertInto('operator_alerts').values(row).execute();
    },

    /** Newest first; only these segments' alerts when `segments` is given. */
    list(segments: readonly string[] | undefined, limit: number): Promise<OperatorAlertRow[]> {
      if (limit < 1 || limit > 500) throw new RangeError('limit must be 1..500');
      let q = db.selectFrom('operator_alerts').selectAll();
      if (segments) q = q.where('segment_id', 'in', segments.length ? [...segments] : ['']);
      return q.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
    },
  };
}

export type AlertsRepository = ReturnType<typeof createAlertsRepository>;
