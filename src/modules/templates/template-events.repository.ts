import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, TemplateEventTable } from '../../db/schema.js';

export type TemplateEvent = Selectable<TemplateEventTable>;

/** SQL for the template change feed: appended in the change's transaction, read in sequence order. */
export function createTemplateEventsRepository(db: Kysely<Database>) {
  return {
    async append(tx: Tx, events: readonly Insertable<TemplateEventTable>[]): Promise<void> {
      if (events.length)
        await tx
          .insertInto('template_events')
          .values([...events])
          .execute();
    },

    after(seq: number, limit: number): Promise<TemplateEvent[]> {
      if (limit < 1 || limit > 5000) throw new RangeError('limit must be 1..5000');
      return db.selectFrom('template_events').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit).execute();
    },

    async deleteOlderThan(before: string): Promise<number> {
      const r = await db.deleteFrom('template_events').where('at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async lastSeq(): Promise<number> {
      const row = await db
        .selectFrom('template_events')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .executeTakeFirst();
      return Number(row?.seq ?? 0);
    },
  };
}

export type TemplateEventsRepository = ReturnType<typeof createTemplateEventsRepository>;
