import type { Kysely, Selectable } from 'kysely';
import type { Database, NotificationTable } from '../../db/schema.js';

export type NotificationRow = Selectable<NotificationTable>;

/** A notice waiting in the outbox, with the segment whose key seals its citizen's contact. */
export type PendingNotice = Pick<NotificationRow, 'id' | 'person_id' | 'subject' | 'body' | 'attempts'> & {
  readonly segment_id: string;
};

const MAX_PAGE = 500;

/** SQL for the notification outbox: pending notices, claimed by attempt number, then marked. */
export function createNotificationsRepository(db: Kysely<Database>) {
  return {
    /** Pending notices with an id after `afterId`, in id order (keyset paging). */
    pendingAfter(afterId: string, limit: number): Promise<PendingNotice[]> {
      if (limit < 1 || limit > MAX_PAGE) throw new RangeError(`limit must be 1..${MAX_PAGE}`);
      return db
        .selectFrom('notifications as n')
        .innerJoin('persons as p', 'p.id', 'n.person_id')
        .select(['n.id', 'n.person_id', 'n.subject', 'n.body', 'n.attempts', 'p.segment_id'])
        .where('n.status', '=', 'pending')
        .where('n.id', '>', afterId)
        .orderBy('n.id')
        .limit(limit)
        .execute();
    },

    /** Claims a notice's next attempt: true for exactly one caller per attempt, across instances. */
    async claim(id: string, attempts: number): Promise<boolean> {
      const r = await db
        .updateTable('notifications')
        .set({ attempts: attempts + 1 })
        .where('id', '=', id)
        .where('attempts', '=', attempts)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async mark(
      id: string,
      outcome: { status: 'sent' | 'failed' | 'pending'; error: string | null; sentAt?: string },
    ): Promise<void> {
      await db
        .updateTable('notifications')
        .set({
          status: outcome.status,
          last_error: outcome.error,
          ...(outcome.sentAt ? { sent_at: outcome.sentAt } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
  };
}

export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>;
