import type { Kysely } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, SegmentKeyTable } from '../../db/schema.js';

export type SegmentKeyRow = SegmentKeyTable;

/** SQL for segment data keys (stored only wrapped by a master key). */
export function createSegmentKeysRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: SegmentKeyRow): Promise<void> {
      await tx.insertInto('segment_keys').values(row).execute();
    },

    list(): Promise<SegmentKeyRow[]> {
      return db.selectFrom('segment_keys').selectAll().orderBy('segment_id').orderBy('version').execute();
    },

    async retireAllBut(tx: Tx, segmentId: string, version: number): Promise<void> {
      await tx
        .updateTable('segment_keys')
        .set({ state: 'retired' })
        .where('segment_id', '=', segmentId)
        .where('version', '!=', version)
        .execute();
    },

    async rewrap(segmentId: string, version: number, wrapped: string, masterKeyId: string) {
      await db
        .updateTable('segment_keys')
        .set({ wrapped_key: wrapped, master_key_id: masterKeyId })
        .where('segment_id', '=', segmentId)
        .where('version', '=', version)
        .execute();
    },
  };
}

export type SegmentKeysRepository = ReturnType<typeof createSegmentKeysRepository>;
