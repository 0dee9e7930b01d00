import { isoNow, type Clock } from '../../ports/clock.js';
import type { ContactBook } from './contact-book.js';
import type { Notifier } from './notifier.js';
import type { NotificationsRepository } from './notifications.repository.js';

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
    private readonly notices: NotificationsRepository,
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
      const batch = await this.notices.pendingAfter(after, 100);
      if (batch.length === 0) return sent;
      after = batch.at(-1)!.id;
      for (const n of batch) {
        // Claim by bumping the attempt count: only one instance wins each attempt.
        if (!(await this.notices.claim(n.id, n.attempts))) continue;
        try {
          const held = await this.contacts.of(n.person_id, n.segment_id);
          // Only the addresses go to the notifier, not when they were verified.
          const contact = held && {
            ...(held.email ? { email: held.email } : {}),
            ...(held.phone ? { phone: held.phone } : {}),
          };
          await this.notifier.send({ personId: n.person_id, contact, subject: n.subject, body: n.body });
          await this.notices.mark(n.id, { status: 'sent', error: null, sentAt: isoNow(this.clock) });
          sent++;
        } catch (e) {
          const status = n.attempts + 1 >= MAX_ATTEMPTS ? 'failed' : 'pending';
          await this.notices.mark(n.id, { status, error: e instanceof Error ? e.message : String(e) });
        }
      }
    }
  }
}
