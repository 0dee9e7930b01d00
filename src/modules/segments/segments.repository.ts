import type { Kysely } from 'kysely';
import type { Database, SegmentTable } from '../../db/schema.js';

export type SegmentRow = SegmentTable;

/** SQL for segments. */
export const segmentsRepository = {
  async insert(db: Kysely<Database>, row: SegmentRow): Promise<void> {
    await db.insertInto('segments').values(row).execute();
  },

  find(db: Kysely<Database>, id: string): Promise<SegmentRow | undefined> {
    return db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
  },

  list(db: Kysely<Database>): Promise<SegmentRow[]> {
    return db.selectFrom('segments').selectAll().orderBy('id').execute();
  },
};
