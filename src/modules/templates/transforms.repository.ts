import type { Kysely } from 'kysely';
import type { Database, SegmentTransformTable } from '../../db/schema.js';

export type TransformRow = SegmentTransformTable;

/** SQL for segment template transforms (their seeds are stored only wrapped by a segment data key). */
export const transformsRepository = {
  async insert(db: Kysely<Database>, row: TransformRow): Promise<void> {
    await db.insertInto('segment_transforms').values(row).execute();
  },

  list(db: Kysely<Database>, segmentId: string): Promise<TransformRow[]> {
    return db
      .selectFrom('segment_transforms')
      .selectAll()
      .where('segment_id', '=', segmentId)
      .orderBy('version')
      .execute();
  },

  listAll(db: Kysely<Database>): Promise<TransformRow[]> {
    return db.selectFrom('segment_transforms').selectAll().orderBy('segment_id').orderBy('version').execute();
  },

  /**
   * Takes the row lock on a still-active transform: a template sealed under it may commit only while it is
   * active, so a re-key (which retires it under the same lock) never leaves a template behind.
   */
  async holdActive(db: Kysely<Database>, segmentId: string, version: number): Promise<boolean> {
    const r = await db
      .updateTable('segment_transforms')
      .set({ state: 'active' })
      .where('segment_id', '=', segmentId)
      .where('version', '=', version)
      .where('state', '=', 'active')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async retireAllBut(db: Kysely<Database>, segmentId: string, version: number): Promise<void> {
    await db
      .updateTable('segment_transforms')
      .set({ state: 'retiring' })
      .where('segment_id', '=', segmentId)
      .where('version', '!=', version)
      .where('state', '=', 'active')
      .execute();
  },

  /** Forgets a transform's seed for good. */
  async destroy(db: Kysely<Database>, segmentId: string, version: number, at: string): Promise<void> {
    await db
      .updateTable('segment_transforms')
      .set({ state: 'destroyed', wrapped_seed: null, destroyed_at: at })
      .where('segment_id', '=', segmentId)
      .where('version', '=', version)
      .execute();
  },

  async rewrap(db: Kysely<Database>, segmentId: string, version: number, keyVersion: number, wrapped: string) {
    await db
      .updateTable('segment_transforms')
      .set({ key_version: keyVersion, wrapped_seed: wrapped })
      .where('segment_id', '=', segmentId)
      .where('version', '=', version)
      .where('wrapped_seed', 'is not', null)
      .execute();
  },
};
