import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** SQL for the sign-in throttle's counters: one row per key per window. */
export function createSignInCountersRepository(db: Kysely<Database>) {
  return {
    /**
     * Adds one to a counter and returns its new value, in one statement (an upsert): two parallel hits can
     * never both read the same count, on either store.
     */
    async hit(key: string, windowStart: string): Promise<number> {
      const row = await db
        .insertInto('sign_in_counters')
        .values({ counter_key: key, window_start: windowStart, hits: 1 })
        .onConflict((oc) =>
          oc.columns(['counter_key', 'window_start']).doUpdateSet((eb) => ({
            hits: eb('sign_in_counters.hits', '+', 1),
          })),
        )
        .returning('hits')
        .executeTakeFirstOrThrow();
      return Number(row.hits);
    },

    /** Drops the counters of windows that started before `windowStart` (they no longer decide anything). */
    async purgeBefore(windowStart: string): Promise<void> {
      await db.deleteFrom('sign_in_counters').where('window_start', '<', windowStart).execute();
    },
  };
}

export type SignInCountersRepository = ReturnType<typeof createSignInCountersRepository>;
