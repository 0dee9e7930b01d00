import type { Kysely } from 'kysely';
import type { Database, IdempotencyRecordTable } from '../../db/schema.js';

export type IdempotencyRow = IdempotencyRecordTable;

/** SQL for stored responses to requests that carried an `Idempotency-Key`. */
export const idempotencyRepository = {
  find(db: Kysely<Database>, principalId: string, key: string): Promise<IdempotencyRow | undefined> {
    return db
      .selectFrom('idempotency_records')
      .selectAll()
      .where('principal_id', '=', principalId)
      .where('key', '=', key)
      .executeTakeFirst();
  },

  async insert(db: Kysely<Database>, row: IdempotencyRow): Promise<void> {
    await db.insertInto('idempotency_records').values(row).execute();
  },

  async deleteOlderThan(db: Kysely<Database>, before: string): Promise<number> {
    const r = await db.deleteFrom('idempotency_records').where('created_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};
