import type { Kysely } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, PersonKeyTable } from '../../db/schema.js';

export type PersonKeyRow = PersonKeyTable;

/** Bound on one `IN (...)` list and on one re-wrapping page. */
const PAGE = 1000;

/** SQL for people's own template keys (stored only wrapped by their segment's data key). */
export function createPersonKeysRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: PersonKeyRow): Promise<void> {
      await tx.insertInto('person_keys').values(row).execute();
    },

    async insertMany(tx: Tx, rows: readonly PersonKeyRow[]): Promise<void> {
      if (rows.length)
        await tx
          .insertInto('person_keys')
          .values([...rows])
          .execute();
    },

    find(personId: string): Promise<PersonKeyRow | undefined> {
      return db.selectFrom('person_keys').selectAll().where('person_id', '=', personId).executeTakeFirst();
    },

    /** The rows of many people, read a page of ids at a time. */
    async findMany(personIds: readonly string[]): Promise<PersonKeyRow[]> {
      const rows: PersonKeyRow[] = [];
      for (let i = 0; i < personIds.length; i += PAGE) {
        rows.push(
          ...(await db
            .selectFrom('person_keys')
            .selectAll()
            .where('person_id', 'in', personIds.slice(i, i + PAGE))
            .execute()),
        );
      }
      return rows;
    },

    /** Destroys a person's key (crypto-shredding); true if there was one. */
    async delete(tx: Tx, personId: string): Promise<boolean> {
      const r = await tx.deleteFrom('person_keys').where('person_id', '=', personId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** A page of a segment's keys wrapped under another data-key version than `version`. */
    staleOfSegment(segmentId: string, version: number): Promise<PersonKeyRow[]> {
      return db
        .selectFrom('person_keys')
        .selectAll()
        .where('segment_id', '=', segmentId)
        .where('key_version', '!=', version)
        .limit(PAGE)
        .execute();
    },

    /** Stores a re-wrapped key, unless another re-wrap moved it from `fromVersion` meanwhile. */
    async rewrap(tx: Tx, personId: string, fromVersion: number, to: { version: number; wrapped: string }) {
      await tx
        .updateTable('person_keys')
        .set({ key_version: to.version, wrapped_key: to.wrapped })
        .where('person_id', '=', personId)
        .where('key_version', '=', fromVersion)
        .execute();
    },
  };
}

export type PersonKeysRepository = ReturnType<typeof createPersonKeysRepository>;
