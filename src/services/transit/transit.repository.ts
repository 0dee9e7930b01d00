import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, TransitPassTable, TransitRiderTable, TransitTariffTable } from '../../db/schema.js';

export type TariffRow = Selectable<TransitTariffTable>;
export type RiderRow = Selectable<TransitRiderTable>;
export type PassRow = Selectable<TransitPassTable>;

/** Listing bound: a page is at most this many rows. */
const MAX_LIST = 500;

/** SQL for the transit service's own tables: tariffs, gates, riders and passes. */
export function createTransitRepository(db: Kysely<Database>) {
  return {
    async tariff(operatorId: string, tx?: Tx): Promise<TariffRow | undefined> {
      return (tx ?? db)
        .selectFrom('transit_tariffs')
        .selectAll()
        .where('operator_id', '=', operatorId)
        .executeTakeFirst();
    },

    async putTariff(row: TariffRow): Promise<void> {
      const { currency, base_fare, transfer_minutes, daily_cap, updated_at } = row;
      await db
        .insertInto('transit_tariffs')
        .values(row)
        .onConflict((oc) =>
          oc.column('operator_id').doUpdateSet({ currency, base_fare, transfer_minutes, daily_cap, updated_at }),
        )
        .execute();
    },

    async gateExists(operatorId: string, gateId: string): Promise<boolean> {
      const row = await db
        .selectFrom('transit_gates')
        .select('gate_id')
        .where('operator_id', '=', operatorId)
        .where('gate_id', '=', gateId)
        .executeTakeFirst();
      return row !== undefined;
    },

    async putGate(row: { operator_id: string; gate_id: string; name: string; created_at: string }): Promise<void> {
      await db
        .insertInto('transit_gates')
        .values(row)
        .onConflict((oc) => oc.columns(['operator_id', 'gate_id']).doUpdateSet({ name: row.name }))
        .execute();
    },

    async rider(operatorId: string, riderRef: string, tx?: Tx): Promise<RiderRow | undefined> {
      return (tx ?? db)
        .selectFrom('transit_riders')
        .selectAll()
        .where('operator_id', '=', operatorId)
        .where('rider_ref', '=', riderRef)
        .executeTakeFirst();
    },

    /** Links a rider, or replaces their payment token (a block and debt stay until settled). */
    async putRider(row: RiderRow): Promise<void> {
      await db
        .insertInto('transit_riders')
        .values(row)
        .onConflict((oc) => oc.columns(['operator_id', 'rider_ref']).doUpdateSet({ payment_token: row.payment_token }))
        .execute();
    },

    async deleteRider(operatorId: string, riderRef: string): Promise<boolean> {
      const r = await db
        .deleteFrom('transit_riders')
        .where('operator_id', '=', operatorId)
        .where('rider_ref', '=', riderRef)
        .executeTakeFirst();
      return r.numDeletedRows === 1n;
    },

    async setToken(tx: Tx, operatorId: string, riderRef: string, token: string): Promise<void> {
      await tx
        .updateTable('transit_riders')
        .set({ payment_token: token })
        .where('operator_id', '=', operatorId)
        .where('rider_ref', '=', riderRef)
        .execute();
    },

    /** Blocks a rider, adding `debt` to what they owe. */
    async block(tx: Tx, operatorId: string, riderRef: string, debt: number): Promise<void> {
      await tx
        .updateTable('transit_riders')
        .set((eb) => ({ blocked: 1, debt: eb('debt', '+', debt) }))
        .where('operator_id', '=', operatorId)
        .where('rider_ref', '=', riderRef)
        .execute();
    },

    async unblock(tx: Tx, operatorId: string, riderRef: string): Promise<void> {
      await tx
        .updateTable('transit_riders')
        .set({ blocked: 0, debt: 0 })
        .where('operator_id', '=', operatorId)
        .where('rider_ref', '=', riderRef)
        .execute();
    },

    async pass(operatorId: string, eventId: string, tx?: Tx): Promise<PassRow | undefined> {
      return (tx ?? db)
        .selectFrom('transit_passes')
        .selectAll()
        .where('operator_id', '=', operatorId)
        .where('event_id', '=', eventId)
        .executeTakeFirst();
    },

    async passByCharge(chargeId: string, tx: Tx): Promise<PassRow | undefined> {
      return tx.selectFrom('transit_passes').selectAll().where('charge_id', '=', chargeId).executeTakeFirst();
    },

    async insertPass(executor: Tx | undefined, row: PassRow): Promise<void> {
      await (executor ?? db).insertInto('transit_passes').values(row).execute();
    },

    /** Records the gate's final answer on a pass waiting for its charge. */
    async finishPass(tx: Tx, id: string, answer: { decision: string; reason: string | null; json: string }) {
      await tx
        .updateTable('transit_passes')
        .set({
          state: 'done',
          decision: answer.decision as PassRow['decision'],
          reason: answer.reason,
          answer: answer.json,
        })
        .where('id', '=', id)
        .execute();
    },

    async markDone(id: string): Promise<void> {
      await db.updateTable('transit_passes').set({ state: 'done' }).where('id', '=', id).execute();
    },

    /** A rider's opened passes since `since`, with what each cost (for the fare). */
    async openedSince(tx: Tx, operatorId: string, riderRef: string, since: string) {
      return tx
        .selectFrom('transit_passes')
        .innerJoin('payment_charges', 'payment_charges.id', 'transit_passes.charge_id')
        .select(['transit_passes.created_at as at', 'payment_charges.amount', 'payment_charges.rule'])
        .where('transit_passes.operator_id', '=', operatorId)
        .where('transit_passes.rider_ref', '=', riderRef)
        .where('transit_passes.decision', '=', 'open')
        .where('transit_passes.created_at', '>=', since)
        .execute();
    },

    /** Passes of riders (operator and pseudonym pairs), newest first. */
    async passesOf(riders: readonly { operatorId: string; riderRef: string }[], limit: number): Promise<PassRow[]> {
      if (riders.length === 0) return [];
      return db
        .selectFrom('transit_passes')
        .selectAll()
        .where((eb) =>
          eb.or(riders.map((r) => eb.and([eb('operator_id', '=', r.operatorId), eb('rider_ref', '=', r.riderRef)]))),
        )
        .orderBy('created_at', 'desc')
        .limit(Math.min(limit, MAX_LIST))
        .execute();
    },
  };
}

export type TransitRepository = ReturnType<typeof createTransitRepository>;
