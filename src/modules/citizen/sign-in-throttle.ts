import { createHash } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../ports/clock.js';
import type { SignInCountersRepository } from './sign-in-counters.repository.js';

export interface SignInThrottleSettings {
  /** Face sign-ins, and one-time code guesses, each per source per window. */
  readonly maxPerSource: number;
  /** Second-factor code attempts per person per window. */
  readonly maxPerPerson: number;
  readonly windowMinutes: number;
}

/** What is counted. Each kind has its own counter, so a limit on one never blocks another. */
export type ThrottledAttempt =
  | { readonly kind: 'face'; readonly source: string }
  | { readonly kind: 'code'; readonly source: string }
  | { readonly kind: 'second_factor'; readonly personId: string };

/**
 * The sign-in throttle. Every attempt is counted BEFORE it is evaluated, by one atomic upsert per key per fixed
 * window (src/modules/citizen/sign-in-counters.repository.ts), so N parallel attempts against a limit of L
 * evaluate at most L, on every instance sharing the store. What is counted is chosen so that nobody can lock a
 * citizen out:
 * - faces and code guesses count per source (a hashed address), whatever citizen id they name, so a known and
 *   an unknown id are throttled alike and an attacker elsewhere never spends the citizen's allowance;
 * - per person, only second-factor attempts count, and only someone who just showed the citizen's face can
 *   make one.
 * Per-instance limits on every public route (@fastify/rate-limit, src/http/rate-limits.ts) sit in front of this.
 */
export class SignInThrottle {
  constructor(
    private readonly counters: SignInCountersRepository,
    private readonly clock: Clock,
    private readonly settings: SignInThrottleSettings,
  ) {}

  /** Counts one attempt; throws `citizen.sign_in_throttled` (429) when it is over its limit. */
  async take(attempt: ThrottledAttempt): Promise<void> {
    const windowMs = this.settings.windowMinutes * 60_000;
    const now = this.clock.now().getTime();
    const start = new Date(now - (now % windowMs));
    const [key, limit] =
      attempt.kind === 'second_factor'
        ? [`second_factor:person:${attempt.personId}`, this.settings.maxPerPerson]
        : [`${attempt.kind}:source:${sourceKey(attempt.source)}`, this.settings.maxPerSource];
    const hits = await this.counters.hit(key, start.toISOString());
    if (hits === 1) {
      // The first hit of a window clears windows before the last one (a cheap, bounded clean-up).
      await this.counters.purgeBefore(new Date(start.getTime() - windowMs).toISOString());
    }
    if (hits > limit) {
      const retryAfterSeconds = Math.ceil((start.getTime() + windowMs - now) / 1000);
      throw new AppError('citizen.sign_in_throttled', 'too many sign-in attempts: try again later', {
        retryAfterSeconds,
      });
    }
  }
}

/** Addresses are kept only as hashes (the counters table is not a log of who tried). */
function sourceKey(address: string): string {
  return createHash('sha256').update(`oblik/sign-in-source|${address}`).digest('hex').slice(0, 32);
}
