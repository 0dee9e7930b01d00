import type { Kysely } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { AdjudicationTable, Database } from '../../db/schema.js';

export type AdjudicationRow = AdjudicationTable;

/** SQL for duplicate-enrolment adjudications. */
export function createAdjudicationsRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: AdjudicationRow): Promise<void> {
      await tx.insertInto('adjudications').values(row).execute();
    },

    find(id: string): Promise<AdjudicationRow | undefined> {
      return db.selectFrom('adjudications').selectAll().where('id', '=', id).executeTakeFirst();
    },

    list(
      filter: { segments?: readonly string[]; status?: AdjudicationRow['status'] },
      limit: number,
    ): Promise<AdjudicationRow[]> {
      if (limit < 1 || limit > 500) throw new RangeError('limit must be 1..500');
      let q = db.selectFrom('adjudications').selectAll();
      if (filter.segments) q = q.where('segment_id', 'in', filter.segments.length ? [...filter.segments] : ['']);
      if (filter.status) q = q.where('status', '=', filter.status);
      return q.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
    },

    /** Marks a cleared case as used by the enrolment of `personId`; false if it was already used. */
    async markEnrolled(tx: Tx, id: string, personId: string): Promise<boolean> {
      const r = await tx
        .updateTable('adjudications')
        .set({ enrolled_person_id: personId })
        .where('id', '=', id)
        .where('status', '=', 'different_people')
        .where('enrolled_person_id', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async resolve(
      tx: Tx,
      id: string,
      resolution: { status: 'same_person' | 'different_people'; note: string | null; by: string; at: string },
    ): Promise<boolean> {
      const r = await tx
        .updateTable('adjudications')
        .set({
          status: resolution.status,
          note: resolution.note,
          resolved_by: resolution.by,
          resolved_at: resolution.at,
        })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

export type AdjudicationsRepository = ReturnType<typeof createAdjudicationsRepository>;
