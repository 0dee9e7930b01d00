import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type {
  Database,
  TelecomContractTable,
  TelecomFraudAlertTable,
  TelecomPortRequestTable,
} from '../../db/schema.js';

export type ContractRow = Selectable<TelecomContractTable>;
export type PortRequestRow = Selectable<TelecomPortRequestTable>;
export type FraudAlertRow = Selectable<TelecomFraudAlertTable>;

/** Listing bound: a page is at most this many rows. */
const MAX_LIST = 500;

/** SQL for the telecom service's own tables: contracts, port requests and fraud alerts. */
export function createTelecomRepository(db: Kysely<Database>) {
  return {
    async contract(id: string, tx?: Tx): Promise<ContractRow | undefined> {
      return (tx ?? db).selectFrom('telecom_contracts').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** The contract that holds the number now (not ended): at most one, by the partial unique index. */
    async serving(msisdn: string, tx?: Tx): Promise<ContractRow | undefined> {
      return (tx ?? db)
        .selectFrom('telecom_contracts')
        .selectAll()
        .where('msisdn', '=', msisdn)
        .where('status', '<>', 'ended')
        .executeTakeFirst();
    },

    /** The contracts that held the number at an instant: started at or before it, not ended by then. */
    async servingAt(msisdn: string, at: string): Promise<ContractRow[]> {
      const rows = await db
        .selectFrom('telecom_contracts')
        .selectAll()
        .where('msisdn', '=', msisdn)
        .where('started_at', '<=', at)
        .orderBy('started_at', 'desc')
        .limit(MAX_LIST)
        .execute();
      return rows.filter((r) => {
        const end = r.ended_at ?? (r.status === 'ending' ? r.ends_at : null);
        return end === null || end > at;
      });
    },

    /** Contracts of a subscriber that have not ended, across every operator. */
    async heldBy(holderRef: string, tx: Tx): Promise<ContractRow[]> {
      return tx
        .selectFrom('telecom_contracts')
        .selectAll()
        .where('holder_ref', '=', holderRef)
        .where('status', '<>', 'ended')
        .execute();
    },

    async insertContract(tx: Tx, row: ContractRow): Promise<void> {
      await tx.insertInto('telecom_contracts').values(row).execute();
    },

    /** Sets a running contract's ending; false if it no longer runs (a raced change). */
    async setEnding(tx: Tx, id: string, endsAt: string, requestedAt: string): Promise<boolean> {
      const r = await tx
        .updateTable('telecom_contracts')
        .set({ status: 'ending', ends_at: endsAt, ending_requested_at: requestedAt })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },

    async clearEnding(tx: Tx, id: string): Promise<boolean> {
      const r = await tx
        .updateTable('telecom_contracts')
        .set({ status: 'active', ends_at: null, ending_requested_at: null })
        .where('id', '=', id)
        .where('status', '=', 'ending')
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },

    /** Ends a contract that has not ended, at `at`; false if it had already ended. */
    async end(tx: Tx, id: string, at: string, reason: 'termination' | 'ported'): Promise<boolean> {
      const r = await tx
        .updateTable('telecom_contracts')
        .set({ status: 'ended', ended_at: at, ends_at: at, end_reason: reason })
        .where('id', '=', id)
        .where('status', '<>', 'ended')
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },

    /** Endings due by `now`, oldest first. */
    async dueEndings(now: string, limit: number): Promise<ContractRow[]> {
      return db
        .selectFrom('telecom_contracts')
        .selectAll()
        .where('status', '=', 'ending')
        .where('ends_at', '<=', now)
        .orderBy('ends_at')
        .limit(Math.min(limit, MAX_LIST))
        .execute();
    },

    async portRequest(id: string, tx?: Tx): Promise<PortRequestRow | undefined> {
      return (tx ?? db).selectFrom('telecom_port_requests').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async pendingPort(msisdn: string, tx: Tx): Promise<PortRequestRow | undefined> {
      return tx
        .selectFrom('telecom_port_requests')
        .selectAll()
        .where('msisdn', '=', msisdn)
        .where('status', '=', 'pending')
        .executeTakeFirst();
    },

    async insertPortRequest(tx: Tx, row: PortRequestRow): Promise<void> {
      await tx.insertInto('telecom_port_requests').values(row).execute();
    },

    /** Closes a pending request; false if it was no longer pending (another instance or request won). */
    async closePort(
      tx: Tx,
      id: string,
      change: Pick<PortRequestRow, 'status' | 'closed_at' | 'close_reason' | 'objection_reason'>,
    ): Promise<boolean> {
      const r = await tx
        .updateTable('telecom_port_requests')
        .set(change)
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },

    async duePorts(now: string, limit: number): Promise<PortRequestRow[]> {
      return db
        .selectFrom('telecom_port_requests')
        .selectAll()
        .where('status', '=', 'pending')
        .where('switch_at', '<=', now)
        .orderBy('switch_at')
        .limit(Math.min(limit, MAX_LIST))
        .execute();
    },

    async portsOf(operatorId: string, role: 'donor' | 'recipient', limit: number): Promise<PortRequestRow[]> {
      return db
        .selectFrom('telecom_port_requests')
        .selectAll()
        .where(role === 'donor' ? 'donor_operator_id' : 'recipient_operator_id', '=', operatorId)
        .orderBy('requested_at', 'desc')
        .limit(Math.min(limit, MAX_LIST))
        .execute();
    },

    async insertAlert(tx: Tx, row: FraudAlertRow): Promise<void> {
      await tx.insertInto('telecom_fraud_alerts').values(row).execute();
    },

    async alertsOf(operatorId: string, limit: number): Promise<FraudAlertRow[]> {
      return db
        .selectFrom('telecom_fraud_alerts')
        .selectAll()
        .where('operator_id', '=', operatorId)
        .orderBy('created_at', 'desc')
        .limit(Math.min(limit, MAX_LIST))
        .execute();
    },

    /** A subscriber's contracts and port requests, for their citizen account. */
    async historyOf(holderRef: string): Promise<{ contracts: ContractRow[]; ports: PortRequestRow[] }> {
      const [contracts, ports] = await Promise.all([
        db
          .selectFrom('telecom_contracts')
          .selectAll()
          .where('holder_ref', '=', holderRef)
          .orderBy('started_at', 'desc')
          .limit(MAX_LIST)
          .execute(),
        db
          .selectFrom('telecom_port_requests')
          .selectAll()
          .where('holder_ref', '=', holderRef)
          .orderBy('requested_at', 'desc')
          .limit(MAX_LIST)
          .execute(),
      ]);
      return { contracts, ports };
    },
  };
}

export type TelecomRepository = ReturnType<typeof createTelecomRepository>;
