import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/executor.js';
import type { Database, SegmentTransformTable } from '../../db/schema.js';

export type TransformRow = SegmentTransformTable;

/**
 * Which transform chain: a segment's own view (`view` ''), or a relying party's view of the segment (the
 * party's id), each with its own versions.
 */
export interface ViewKey {
  readonly segmentId: string;
  readonly view: string;
}

/** SQL for template transforms (their seeds are stored only wrapped by a segment data key). */
export function createTransformsRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: TransformRow): Promise<void> {
      await tx.insertInto('segment_transforms').values(row).execute();
    },

    list(at: ViewKey, on: Executor = db): Promise<TransformRow[]> {
      return on
        .selectFrom('segment_transforms')
        .selectAll()
        .where('segment_id', '=', at.segmentId)
        .where('view', '=', at.view)
        .orderBy('version')
        .execute();
    },

    /** Every view's transforms of a segment. */
    listSegment(segmentId: string): Promise<TransformRow[]> {
      return db
        .selectFrom('segment_transforms')
        .selectAll()
        .where('segment_id', '=', segmentId)
        .orderBy('view')
        .orderBy('version')
        .execute();
    },

    /**
     * Takes the row lock on a still-active transform: a template sealed under it may commit only while it is
     * active, so a re-key (which retires it under the same lock) never leaves a template behind.
     */
    async holdActive(tx: Tx, at: ViewKey, version: number): Promise<boolean> {
      const r = await tx
        .updateTable('segment_transforms')
        .set({ state: 'active' })
        .where('segment_id', '=', at.segmentId)
        .where('view', '=', at.view)
        .where('version', '=', version)
        .where('state', '=', 'active')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async retireAllBut(tx: Tx, at: ViewKey, version: number): Promise<void> {
      await tx
        .updateTable('segment_transforms')
        .set({ state: 'retiring' })
        .where('segment_id', '=', at.segmentId)
        .where('view', '=', at.view)
        .where('version', '!=', version)
        .where('state', '=', 'active')
        .execute();
    },

    /** Forgets a transform's seed for good. */
    async destroy(at: ViewKey, version: number, when: string, tx: Executor = db): Promise<void> {
      await tx
        .updateTable('segment_transforms')
        .set({ state: 'destroyed', wrapped_seed: null, destroyed_at: when })
        .where('segment_id', '=', at.segmentId)
        .where('view', '=', at.view)
        .where('version', '=', version)
        .execute();
    },

    async rewrap(at: ViewKey, version: number, keyVersion: number, wrapped: string) {
      await db
        .updateTable('segment_transforms')
        .set({ key_version: keyVersion, wrapped_seed: wrapped })
        .where('segment_id', '=', at.segmentId)
        .where('view', '=', at.view)
        .where('version', '=', version)
        .where('wrapped_seed', 'is not', null)
        .execute();
    },
  };
}

export type TransformsRepository = ReturnType<typeof createTransformsRepository>;
