import type { Kysely } from 'kysely';
import type { Database, TemplateTable } from '../../db/schema.js';

export type TemplateRow = TemplateTable;
export type TemplateMetadata = Omit<TemplateRow, 'sealed_vector'>;

/** The largest page a caller may ask for: matcher loading and re-encryption walk the table in pages. */
const MAX_PAGE = 5000;

/** SQL for sealed templates. */
export const templatesRepository = {
  async insert(db: Kysely<Database>, row: TemplateRow): Promise<void> {
    await db.insertInto('templates').values(row).execute();
  },

  find(db: Kysely<Database>, id: string): Promise<TemplateRow | undefined> {
    return db.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** One page of every template, in id order after `afterId` (keyset pagination: stable under inserts). */
  page(db: Kysely<Database>, afterId: string, limit: number): Promise<TemplateRow[]> {
    if (limit < 1 || limit > MAX_PAGE) throw new RangeError(`page size must be 1..${MAX_PAGE}`);
    return db.selectFrom('templates').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  },

  /** Templates of a segment sealed under another key version than `version` (for re-encryption). */
  sealedUnderOtherVersion(
    db: Kysely<Database>,
    segmentId: string,
    version: number,
    limit: number,
  ): Promise<TemplateRow[]> {
    if (limit < 1 || limit > MAX_PAGE) throw new RangeError(`page size must be 1..${MAX_PAGE}`);
    return db
      .selectFrom('templates')
      .selectAll()
      .where('segment_id', '=', segmentId)
      .where('key_version', '!=', version)
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  async reseal(db: Kysely<Database>, id: string, fromVersion: number, toVersion: number, sealed: Buffer) {
    // Guarded by the old version: a template deleted or resealed meanwhile is left alone.
    const r = await db
      .updateTable('templates')
      .set({ key_version: toVersion, sealed_vector: sealed })
      .where('id', '=', id)
      .where('key_version', '=', fromVersion)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  metadataOf(db: Kysely<Database>, personId: string): Promise<TemplateMetadata[]> {
    return db
      .selectFrom('templates')
      .select([
        'id',
        'person_id',
        'segment_id',
        'model_pack',
        'key_version',
        'channel',
        'enrolled_by',
        'quality',
        'liveness',
        'created_at',
      ])
      .where('person_id', '=', personId)
      .orderBy('created_at')
      .execute();
  },

  /** Erases a person's templates; returns their ids. */
  async deleteOf(db: Kysely<Database>, personId: string): Promise<string[]> {
    const rows = await db.deleteFrom('templates').where('person_id', '=', personId).returning('id').execute();
    return rows.map((r) => r.id);
  },

  async countByKeyVersion(db: Kysely<Database>): Promise<{ segment_id: string; key_version: number; n: number }[]> {
    const rows = await db
      .selectFrom('templates')
      .select(['segment_id', 'key_version', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['segment_id', 'key_version'])
      .orderBy('segment_id')
      .orderBy('key_version')
      .execute();
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  },
};
