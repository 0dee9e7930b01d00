import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, TemplateEventTable } from '../../db/schema.js';

export type TemplateEvent = Selectable<TemplateEventTable>;

/** SQL for the template change feed: appended in the change's transaction, read in sequence order. */
export const templateEventsRepository = {
  async append(db: Kysely<Database>, events: readonly Insertable<TemplateEventTable>[]): Promise<void> {
    if (events.length)
      await db
        .insertInto('template_events')
        .values([...events])
        .execute();
  },

  after(db: Kysely<Database>, seq: number, limit: number): Promise<TemplateEvent[]> {
    if (limit < 1 || limit > 5000) throw new RangeError('limit must be 1..5000');
    return db.selectFrom('template_events').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit).execute();
  },

  async deleteOlderThan(db: Kysely<Database>, before: string): Promise<number> {
    const r = await db.deleteFrom('template_events').where('at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  async lastSeq(db: Kysely<Database>): Promise<number> {
    const row = await db
      .selectFrom('template_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  },
};
