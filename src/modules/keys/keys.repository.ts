import type { Kysely } from 'kysely';
import type { Database, SegmentKeyTable } from '../../db/schema.js';

export type SegmentKeyRow = SegmentKeyTable;

/** SQL for segment data keys (stored only wrapped by a master key). */
export const keysRepository = {
  async insert(db: Kysely<Database>, row: SegmentKeyRow): Promise<void> {
    await db.insertInto('segment_keys').values(row).execute();
  },

  list(db: Kysely<Database>): Promise<SegmentKeyRow[]> {
    return db.selectFrom('segment_keys').selectAll().orderBy('segment_id').orderBy('version').execute();
  },

  async retireAllBut(db: Kysely<Database>, segmentId: string, version: number): Promise<void> {
    await db
      .updateTable('segment_keys')
      .set({ state: 'retired' })
      .where('segment_id', '=', segmentId)
      .where('version', '!=', version)
      .execute();
  },

  async rewrap(db: Kysely<Database>, segmentId: string, version: number, wrapped: string, masterKeyId: string) {
    await db
      .updateTable('segment_keys')
      .set({ wrapped_key: wrapped, master_key_id: masterKeyId })
      .where('segment_id', '=', segmentId)
      .where('version', '=', version)
      .execute();
  },
};
