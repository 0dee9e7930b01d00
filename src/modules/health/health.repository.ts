import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** SQL for readiness: whether the store answers at all. */
export function createHealthRepository(db: Kysely<Database>) {
  return {
    async ping(): Promise<void> {
      await sql`select 1`.execute(db);
    },
  };
}

export type HealthRepository = ReturnType<typeof createHealthRepository>;
