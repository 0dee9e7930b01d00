import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, TransferRecordTable, TransferTable } from '../../db/schema.js';

export type TransferRow = Selectable<TransferTable>;
export type TransferRecordRow = Selectable<TransferRecordTable>;
export type NewTransferRecord = Insertable<TransferRecordTable>;

/** Report pages: rows read at a time while streaming a report. */
const PAGE = 500;

/** SQL for the transfers service's own tables: batches and their decided records. */
export function createTransfersRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: Insertable<TransferTable>): Promise<void> {
      await tx.insertInto('transfers').values(row).execute();
    },

    find(id: string): Promise<TransferRow | undefined> {
      return db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
    },

    byDigest(bankId: string, digest: string, tx?: Tx): Promise<TransferRow | undefined> {
      return (tx ?? db)
        .selectFrom('transfers')
        .selectAll()
        .where('bank_id', '=', bankId)
        .where('digest', '=', digest)
        .executeTakeFirst();
    },

    /** Batches not yet finished (queued, or interrupted mid-way), oldest first. */
    unfinished(): Promise<TransferRow[]> {
      return db.selectFrom('transfers').selectAll().where('status', '<>', 'done').orderBy('created_at').execute();
    },

    async start(id: string, at: string): Promise<void> {
      await db
        .updateTable('transfers')
        .set({ status: 'processing', started_at: at })
        .where('id', '=', id)
        .where('started_at', 'is', null)
        .execute();
      await db.updateTable('transfers').set({ status: 'processing' }).where('id', '=', id).execute();
    },

    async finish(id: string, at: string): Promise<void> {
      await db.updateTable('transfers').set({ status: 'done', finished_at: at }).where('id', '=', id).execute();
    },

    /** The line numbers of a batch already decided (what a resumed run skips). */
    async decidedLines(transferId: string): Promise<Set<number>> {
      const rows = await db
        .selectFrom('transfer_records')
        .select('line_no')
        .where('transfer_id', '=', transferId)
        .execute();
      return new Set(rows.map((r) => r.line_no));
    },

    /** The record that claimed a bank's reference, if any (in any batch). */
    claimOf(claimRef: string): Promise<TransferRecordRow | undefined> {
      return db.selectFrom('transfer_records').selectAll().where('claim_ref', '=', claimRef).executeTakeFirst();
    },

    async insertRecord(executor: Tx | undefined, row: NewTransferRecord): Promise<void> {
      await (executor ?? db).insertInto('transfer_records').values(row).execute();
    },

    async counts(transferId: string): Promise<Record<TransferRecordRow['outcome'], number>> {
      const rows = await db
        .selectFrom('transfer_records')
        .select(['outcome', (eb) => eb.fn.countAll().as('n')])
        .where('transfer_id', '=', transferId)
        .groupBy('outcome')
        .execute();
      const counts = { accepted: 0, duplicate: 0, rejected: 0 };
      for (const r of rows) counts[r.outcome] = Number(r.n);
      return counts;
    },

    /** A batch's decided records in line order, a page at a time. */
    async *records(transferId: string): AsyncGenerator<TransferRecordRow> {
      let after = 0;
      for (;;) {
        const rows = await db
          .selectFrom('transfer_records')
          .selectAll()
          .where('transfer_id', '=', transferId)
          .where('line_no', '>', after)
          .orderBy('line_no')
          .limit(PAGE)
          .execute();
        yield* rows;
        if (rows.length < PAGE) return;
        after = rows[rows.length - 1]!.line_no;
      }
    },
  };
}

export type TransfersRepository = ReturnType<typeof createTransfersRepository>;
