import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, PaymentChargeTable } from '../../db/schema.js';

export type ChargeRow = Selectable<PaymentChargeTable>;

/** Bound on one batch of the outbox and on a listing. */
const MAX_LIST = 500;

/** SQL for the payment outbox: charges written with their decision, then settled by the payment port. */
export function createChargesRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: ChargeRow): Promise<void> {
      await tx.insertInto('payment_charges').values(row).execute();
    },

    async charge(id: string, tx?: Tx): Promise<ChargeRow | undefined> {
      return (tx ?? db).selectFrom('payment_charges').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async many(ids: readonly string[]): Promise<ChargeRow[]> {
      if (ids.length === 0) return [];
      return db.selectFrom('payment_charges').selectAll().where('id', 'in', ids).execute();
    },

    /** Charges still waiting for the port, written before `before`, oldest first. */
    async pending(before: string, limit: number): Promise<ChargeRow[]> {
      return db
        .selectFrom('payment_charges')
        .selectAll()
        .where('status', '=', 'pending')
        .where('created_at', '<=', before)
        .orderBy('created_at')
        .limit(Math.min(limit, MAX_LIST))
        .execute();
    },

    async countAttempt(id: string): Promise<void> {
      await db
        .updateTable('payment_charges')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .execute();
    },

    /** Records the port's answer on a pending charge; false if another worker recorded it first. */
    async settle(tx: Tx, id: string, status: 'captured' | 'declined', at: string): Promise<boolean> {
      const r = await tx
        .updateTable('payment_charges')
        .set({ status, settled_at: at })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },

    /** A declined charge whose pass was refused: nothing is owed for it. */
    async voidCharge(tx: Tx, id: string): Promise<void> {
      await tx.updateTable('payment_charges').set({ status: 'void' }).where('id', '=', id).execute();
    },

    /** Marks a payer's declined charges (their debt, not failed settlements) as paid by a settlement. */
    async clearDeclined(tx: Tx, operatorId: string, payerRef: string, at: string): Promise<void> {
      await tx
        .updateTable('payment_charges')
        .set({ status: 'settled', settled_at: at })
        .where('operator_id', '=', operatorId)
        .where('payer_ref', '=', payerRef)
        .where('status', '=', 'declined')
        .where('rule', '<>', 'settlement')
        .execute();
    },
  };
}

export type ChargesRepository = ReturnType<typeof createChargesRepository>;
