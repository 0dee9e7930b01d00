import type { Kysely } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, IdempotencyRecordTable } from '../../db/schema.js';

export type IdempotencyRow = IdempotencyRecordTable;

/** SQL for stored responses to requests that carried an `Idempotency-Key`. */
export function createIdempotencyRepository(db: Kysely<Database>) {
  return {
    find(principalId: string, key: string): Promise<IdempotencyRow | undefined> {
      return db
        .selectFrom('idempotency_records')
        .selectAll()
        .where('principal_id', '=', principalId)
        .where('key', '=', key)
        .executeTakeFirst();
    },

    async insert(tx: Tx, row: IdempotencyRow): Promise<void> {
      await tx.insertInto('idempotency_records').values(row).execute();
    },

    async deleteOlderThan(before: string): Promise<number> {
      const r = await db.deleteFrom('idempotency_records').where('created_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
