import { sql, type Kysely, type Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, VenueAccessTable, VenueEntryTable, VenueTable } from '../../db/schema.js';

export type VenueRow = Selectable<VenueTable>;
export type VenueAccessRow = Selectable<VenueAccessTable>;
export type VenueEntryRow = Selectable<VenueEntryTable>;

/** Listing bound: a page is at most this many rows. */
const MAX_LIST = 500;

/** SQL for the venues service's own tables: venues, their passes and their entry log. */
export function createVenuesRepository(db: Kysely<Database>) {
  return {
    async insertVenue(row: VenueRow): Promise<void> {
      await db.insertInto('venues').values(row).execute();
    },

    async venue(id: string): Promise<VenueRow | undefined> {
      return db.selectFrom('venues').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async insertAccess(row: Omit<VenueAccessRow, 'uses_spent'>): Promise<void> {
      await db.insertInto('venue_access').values(row).execute();
    },

    /** Ends a pass; false if the venue has no such pass still in force. */
    async revokeAccess(venueId: string, accessId: string, at: string): Promise<boolean> {
      const res = await db
        .updateTable('venue_access')
        .set({ revoked_at: at })
        .where('id', '=', accessId)
        .where('venue_id', '=', venueId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    /** The people (the party's pseudonyms) holding a pass in force: the venue's group gallery. */
    async members(venueId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('venue_access')
        .select('person_ref')
        .distinct()
        .where('venue_id', '=', venueId)
        .where('revoked_at', 'is', null)
        .execute();
      return rows.map((r) => r.person_ref);
    },

    async passesOf(tx: Tx, venueId: string, personRef: string): Promise<VenueAccessRow[]> {
      return tx
        .selectFrom('venue_access')
        .selectAll()
        .where('venue_id', '=', venueId)
        .where('person_ref', '=', personRef)
        .where('revoked_at', 'is', null)
        .orderBy('created_at')
        .execute();
    },

    /** Spends one use of a pass; false if another entry spent its last use first. */
    async spendUse(tx: Tx, accessId: string): Promise<boolean> {
      const res = await tx
        .updateTable('venue_access')
        .set({ uses_spent: sql<number>`uses_spent + 1` })
        .where('id', '=', accessId)
        .where((eb) => eb.or([eb('uses', 'is', null), eb('uses_spent', '<', eb.ref('uses'))]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    async insertEntry(tx: Tx, row: VenueEntryRow): Promise<void> {
      await tx.insertInto('venue_entries').values(row).execute();
    },

    /** The venue's entry log, newest first. */
    async entries(venueId: string, limit: number): Promise<VenueEntryRow[]> {
      return db
        .selectFrom('venue_entries')
        .selectAll()
        .where('venue_id', '=', venueId)
        .orderBy('at', 'desc')
        .orderBy('event_id')
        .limit(Math.min(limit, MAX_LIST))
        .execute();
    },
  };
}

export type VenuesRepository = ReturnType<typeof createVenuesRepository>;
