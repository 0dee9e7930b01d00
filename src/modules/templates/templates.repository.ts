import type { Kysely } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, TemplateTable } from '../../db/schema.js';

export type TemplateRow = TemplateTable;
export type TemplateMetadata = Omit<TemplateRow, 'sealed_vector'>;

/** The largest page a caller may ask for: matcher loading and re-encryption walk the table in pages. */
const MAX_PAGE = 5000;

/** SQL for sealed templates. */
export function createTemplatesRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: TemplateRow): Promise<void> {
      await tx.insertInto('templates').values(row).execute();
    },

    find(id: string): Promise<TemplateRow | undefined> {
      return db.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** One page of every template, in id order after `afterId` (keyset pagination: stable under inserts). */
    page(afterId: string, limit: number): Promise<TemplateRow[]> {
      if (limit < 1 || limit > MAX_PAGE) throw new RangeError(`page size must be 1..${MAX_PAGE}`);
      return db.selectFrom('templates').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
    },

    /**
     * A page of a segment's templates not yet under transform `version` (legacy raw ones included), in id order
     * after `afterId`. Keyset paging over the (segment, id) index keeps each page's cost flat however large the
     * segment; transform versions only grow, so "not yet" is "older".
     */
    pendingForTransform(
      at: { segmentId: string; view: string },
      version: number,
      afterId: string,
      limit: number,
    ): Promise<TemplateRow[]> {
      if (limit < 1 || limit > MAX_PAGE) throw new RangeError(`page size must be 1..${MAX_PAGE}`);
      return db
        .selectFrom('templates')
        .selectAll()
        .where('segment_id', '=', at.segmentId)
        .where('transform_view', '=', at.view)
        .where('id', '>', afterId)
        .where((eb) => eb.or([eb('transform_version', 'is', null), eb('transform_version', '<', version)]))
        .orderBy('id')
        .limit(limit)
        .execute();
    },

    async insertMany(tx: Tx, rows: readonly TemplateRow[]): Promise<void> {
      if (rows.length)
        await tx
          .insertInto('templates')
          .values([...rows])
          .execute();
    },

    /** Deletes the templates among `ids` that still exist; returns those it deleted. */
    async deleteMany(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      if (ids.length > MAX_PAGE) throw new RangeError(`at most ${MAX_PAGE} ids`);
      const rows = await tx
        .deleteFrom('templates')
        .where('id', 'in', [...ids])
        .returning('id')
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    /** Segments holding templates from before renewable templates. */
    async segmentsWithLegacy(): Promise<string[]> {
      const rows = await db
        .selectFrom('templates')
        .select('segment_id')
        .distinct()
        .where('transform_version', 'is', null)
        .execute();
      return rows.map((r) => r.segment_id);
    },

    metadataOf(personId: string): Promise<TemplateMetadata[]> {
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
          'transform_version',
          'transform_view',
        ])
        .where('person_id', '=', personId)
        .orderBy('created_at')
        .execute();
    },

    /** Erases a person's templates; returns their ids. */
    async deleteOf(tx: Tx, personId: string): Promise<string[]> {
      const rows = await tx.deleteFrom('templates').where('person_id', '=', personId).returning('id').execute();
      return rows.map((r) => r.id);
    },

    /**
     * Templates per segment and data-key version: a template counts under the version that wraps its person's key
     * (or, for a legacy template, the version that sealed it).
     */
    async countByKeyVersion(): Promise<{ segment_id: string; key_version: number; n: number }[]> {
      const rows = await db
        .selectFrom('templates as t')
        .leftJoin('person_keys as k', 'k.person_id', 't.person_id')
        .select([
          't.segment_id',
          (eb) => eb.fn.coalesce('k.key_version', 't.key_version').as('key_version'),
          (eb) => eb.fn.countAll<number>().as('n'),
        ])
        .groupBy(['t.segment_id', (eb) => eb.fn.coalesce('k.key_version', 't.key_version')])
        .execute();
      return rows.map((r) => ({ segment_id: r.segment_id, key_version: Number(r.key_version), n: Number(r.n) }));
    },
  };
}

export type TemplatesRepository = ReturnType<typeof createTemplatesRepository>;
