import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, ParkingEventTable, ParkingFacilityTable, ParkingSessionTable } from '../../db/schema.js';

export type FacilityRow = Selectable<ParkingFacilityTable>;
export type SessionRow = Selectable<ParkingSessionTable>;
export type EventRow = Selectable<ParkingEventTable>;

/** Listing bound: a page is at most this many rows. */
const MAX_LIST = 500;

/** SQL for the parking service's own tables: facilities, sessions and the answers to events. */
export function createParkingRepository(db: Kysely<Database>) {
  return {
    async insertFacility(row: FacilityRow): Promise<void> {
      await db.insertInto('parking_facilities').values(row).execute();
    },

    async facility(id: string): Promise<FacilityRow | undefined> {
      return db.selectFrom('parking_facilities').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async openSession(tx: Tx, facilityId: string, parkerRef: string): Promise<SessionRow | undefined> {
      return tx
        .selectFrom('parking_sessions')
        .selectAll()
        .where('facility_id', '=', facilityId)
        .where('parker_ref', '=', parkerRef)
        .where('status', '=', 'open')
        .executeTakeFirst();
    },

    async insertSession(tx: Tx, row: SessionRow): Promise<void> {
      await tx.insertInto('parking_sessions').values(row).execute();
    },

    /** Closes an open session; false if it was closed meanwhile. */
    async closeSession(tx: Tx, id: string, exitedAt: string, chargeId: string): Promise<boolean> {
      const r = await tx
        .updateTable('parking_sessions')
        .set({ status: 'closed', exited_at: exitedAt, charge_id: chargeId })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },

    async event(operatorId: string, eventId: string): Promise<EventRow | undefined> {
      return db
        .selectFrom('parking_events')
        .selectAll()
        .where('operator_id', '=', operatorId)
        .where('event_id', '=', eventId)
        .executeTakeFirst();
    },

    async insertEvent(executor: Tx | undefined, row: EventRow): Promise<void> {
      await (executor ?? db).insertInto('parking_events').values(row).execute();
    },

    /** Sessions of a facility, newest first. */
    async sessionsAt(facilityId: string, limit: number): Promise<SessionRow[]> {
      return db
        .selectFrom('parking_sessions')
        .selectAll()
        .where('facility_id', '=', facilityId)
        .orderBy('entered_at', 'desc')
        .limit(Math.min(limit, MAX_LIST))
        .execute();
    },

    /** Sessions of parkers (operator and pseudonym pairs), newest first. */
    async sessionsOf(parkers: readonly { operatorId: string; parkerRef: string }[], limit: number) {
      if (parkers.length === 0) return [];
      return db
        .selectFrom('parking_sessions')
        .innerJoin('parking_facilities', 'parking_facilities.id', 'parking_sessions.facility_id')
        .selectAll('parking_sessions')
        .select('parking_facilities.name as facility_name')
        .where((eb) =>
          eb.or(
            parkers.map((p) =>
              eb.and([eb('parking_sessions.operator_id', '=', p.operatorId), eb('parker_ref', '=', p.parkerRef)]),
            ),
          ),
        )
        .orderBy('entered_at', 'desc')
        .limit(Math.min(limit, MAX_LIST))
        .execute();
    },
  };
}

export type ParkingRepository = ReturnType<typeof createParkingRepository>;
