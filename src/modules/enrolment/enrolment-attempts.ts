import type { Transactor } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { Repositories } from '../../repositories.js';
import type { CallContext } from '../access/principal.js';

export interface EnrolmentAttemptSettings {
  /** Enrolment attempts one relying party may make in a window; past it, 429 `enrolment.rate_limited`. */
  readonly maxAttempts: number;
  readonly windowSeconds: number;
  /** The attempt count in a window at which the segment's operators get an alert (once per window). */
  readonly alertAttempts: number;
}

/**
 * Enrolment attempts per relying party, in fixed windows. A refused duplicate tells the enrolling party that
 * a face is registered, so no party may try faces without limit: each attempt is counted by one atomic upsert
 * (two instances share the count), past the limit the attempt is refused, and the attempt that reaches the
 * alert threshold writes an alert for the operators of its segment in the same transaction.
 */
export class EnrolmentAttempts {
  constructor(
    private readonly repo: Repositories['alerts'],
    private readonly transactions: Transactor,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly settings: EnrolmentAttemptSettings,
  ) {}

  async count(ctx: CallContext, segment: string): Promise<void> {
    const { maxAttempts, windowSeconds, alertAttempts } = this.settings;
    const nowMs = this.clock.now().getTime();
    const windowMs = windowSeconds * 1000;
    const startMs = Math.floor(nowMs / windowMs) * windowMs;
    const windowStart = new Date(startMs).toISOString();
    const party = ctx.principal.id;
    const attempts = await this.transactions.transaction(async (tx) => {
      const n = await this.repo.countAttempt(tx, party, windowStart);
      // The first attempt of a window clears the party's finished windows (only the current one is read).
      if (n === 1) await this.repo.purgeAttempts(tx, party, windowStart);
      if (n === alertAttempts) {
        await this.repo.insert(tx, {
          id: this.ids.next('alr'),
          kind: 'enrolment.attempts',
          segment_id: segment,
          relying_party_id: party,
          detail: JSON.stringify({ attempts: n, windowStart, windowSeconds, maxAttempts }),
          created_at: isoNow(this.clock),
        });
      }
      return n;
    });
    if (attempts > maxAttempts) {
      const retryAfterSeconds = Math.max(1, Math.ceil((startMs + windowMs - nowMs) / 1000));
      throw new AppError(
        'enrolment.rate_limited',
        `too many enrolment attempts by this relying party; retry in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
  }
}
