import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { ContactBook } from './contact-book.js';
import type { Notifier } from './notifier.js';

/** Attempts before a notice is marked failed (it stays visible to the citizen among their incidents). */
const MAX_ATTEMPTS = 5;

/**
 * The notification outbox: notices are rows written in the transaction that decides them (one per citizen
 * per incident, by a unique index), and delivered afterwards with retries. A notice is claimed before it is
 * sent, so two instances never send the same one.
 */
export class NotificationOutbox {
  private running: Promise<number> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly contacts: ContactBook,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
  ) {}

  /** Delivers pending notices; returns how many were sent. Concurrent calls share one run. */
  deliver(): Promise<number> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<number> {
    let sent = 0;
    // Keyset over ids: a notice that fails now is retried by the next run, not again in this one.
    let after = '';
    for (;;) {
      const batch = await this.db
        .selectFrom('notifications as n')
        .innerJoin('persons as p', 'p.id', 'n.person_id')
        .select(['n.id', 'n.person_id', 'n.subject', 'n.body', 'n.attempts', 'p.segment_id'])
        .where('n.status', '=', 'pending')
        .where('n.id', '>', after)
        .orderBy('n.id')
        .limit(100)
        .execute();
      if (batch.length === 0) return sent;
      after = batch.at(-1)!.id;
      for (const n of batch) {
        // Claim by bumping the attempt count: only one instance wins each attempt.
        const claimed = await this.db
          .updateTable('notifications')
          .set({ attempts: n.attempts + 1 })
          .where('id', '=', n.id)
          .where('attempts', '=', n.attempts)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) === 0) continue;
        try {
          const contact = await this.contacts.of(n.person_id, n.segment_id);
          await this.notifier.send({ personId: n.person_id, contact, subject: n.subject, body: n.body });
          await this.mark(n.id, 'sent', null);
          sent++;
        } catch (e) {
          const status = n.attempts + 1 >= MAX_ATTEMPTS ? 'failed' : 'pending';
          await this.mark(n.id, status, e instanceof Error ? e.message : String(e));
        }
      }
    }
  }

  private async mark(id: string, status: 'sent' | 'failed' | 'pending', error: string | null): Promise<void> {
    await this.db
      .updateTable('notifications')
      .set({ status, last_error: error, ...(status === 'sent' ? { sent_at: isoNow(this.clock) } : {}) })
      .where('id', '=', id)
      .execute();
  }
}
