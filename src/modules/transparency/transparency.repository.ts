import { SqliteAdapter, sql, type Kysely, type Selectable } from 'kysely';
import type { Executor, Tx } from '../../db/executor.js';
import type { AuditEventTable, Database, TreeHeadTable } from '../../db/schema.js';

export type AuditRow = Selectable<AuditEventTable>;
export type TreeHeadRow = TreeHeadTable;

/** A record as the log integrates it: its person's reference, its leaf hash (hex) and its index. */
export interface LeafAssignment {
  readonly id: string;
  readonly leafVersion: number;
  readonly personRef: string | null;
  readonly leafHash: string;
  readonly leafIndex: number;
}

const MAX_PAGE = 1000;

function checkPage(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new RangeError('limit must be 1..1000');
}

/** SQL for the transparency log: leaves on `audit_events`, `tree_heads`, and the `log_state` row. */
export function createTransparencyRepository(db: Kysely<Database>) {
  return {
    /**
     * Runs `read` in one read-only snapshot (repeatable read): a verification sees the log as of one instant
     * while integration goes on.
     */
    inSnapshot<T>(read: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
    },

    async hasPending(): Promise<boolean> {
      const row = await db
        .selectFrom('audit_events')
        .select('seq')
        .where('leaf_index', 'is', null)
        .where('refusal', 'is', null)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Records not yet in the log (nor refused by it), oldest insert first, after sequence `afterSeq`. */
    pending(limit: number, on: Executor = db, afterSeq = 0): Promise<AuditRow[]> {
      checkPage(limit);
      return on
        .selectFrom('audit_events')
        .selectAll()
        .where('leaf_index', 'is', null)
        .where('refusal', 'is', null)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
    },

    /** Records the log refused to integrate, oldest first. */
    refused(limit: number, on: Executor = db): Promise<AuditRow[]> {
      checkPage(limit);
      return on
        .selectFrom('audit_events')
        .selectAll()
        .where('leaf_index', 'is', null)
        .where('refusal', 'is not', null)
        .orderBy('seq')
        .limit(limit)
        .execute();
    },

    /** Marks a record as refused by integration: it never joins the log. */
    async refuse(tx: Tx, id: string, reason: string): Promise<void> {
      await tx
        .updateTable('audit_events')
        .set({ refusal: reason })
        .where('id', '=', id)
        .where('leaf_index', 'is', null)
        .execute();
    },

    /** Rows up to this sequence number were written before rows carried a MAC. */
    async macFromSeq(on: Executor = db): Promise<number> {
      const row = await on.selectFrom('log_state').select('mac_from_seq').where('id', '=', 1).executeTakeFirst();
      return Number(row?.mac_from_seq ?? 0);
    },

    countPending(on: Executor = db): Promise<number> {
      return on
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('leaf_index', 'is', null)
        .where('refusal', 'is', null)
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    },

    /** Records not in the log that nonetheless carry a leaf hash (possible only by tampering), oldest first. */
    unindexedWithHash(limit: number, on: Executor = db): Promise<AuditRow[]> {
      checkPage(limit);
      return on
        .selectFrom('audit_events')
        .selectAll()
        .where('leaf_index', 'is', null)
        .where('leaf_hash', 'is not', null)
        .orderBy('seq')
        .limit(limit)
        .execute();
    },

    /**
     * Takes the log's lock for the transaction `tx` (an update of its one state row: PostgreSQL locks the row,
     * SQLite the database) and returns the log's committed size.
     */
    async lock(tx: Tx): Promise<number> {
      const row = await tx
        .updateTable('log_state')
        .set((eb) => ({ tree_size: eb.ref('tree_size') }))
        .where('id', '=', 1)
        .returning('tree_size')
        .executeTakeFirst();
      if (!row) throw new Error('log_state has no row 1: the transparency migration did not run');
      return Number(row.tree_size);
    },

    async size(on: Executor = db): Promise<number> {
      const row = await on.selectFrom('log_state').select('tree_size').where('id', '=', 1).executeTakeFirst();
      return Number(row?.tree_size ?? 0);
    },

    async setSize(tx: Tx, size: number): Promise<void> {
      await tx.updateTable('log_state').set({ tree_size: size }).where('id', '=', 1).execute();
    },

    /**
     * Stores each record's leaf; fails unless every record was still outside the log. PostgreSQL takes them in
     * one statement (one round trip); SQLite, in process, one prepared update each (its planner would scan the
     * table for a joined update).
     */
    async assignLeaves(tx: Tx, leaves: readonly LeafAssignment[]): Promise<void> {
      if (leaves.length === 0) return;
      if (leaves.length > MAX_PAGE) throw new RangeError('at most 1000 leaves per call');
      let updated = 0;
      if (tx.getExecutor().adapter instanceof SqliteAdapter) {
        for (const l of leaves) {
          const result = await tx
            .updateTable('audit_events')
            .set({
              person_ref: l.personRef,
              leaf_hash: l.leafHash,
              leaf_index: l.leafIndex,
              leaf_version: l.leafVersion,
            })
            .where('id', '=', l.id)
            .where('leaf_index', 'is', null)
            .executeTakeFirst();
          updated += Number(result.numUpdatedRows);
        }
      } else {
        const values = sql.join(
          leaves.map(
            (l) =>
              sql`(${l.id}, ${l.personRef}, ${l.leafHash}, cast(${l.leafIndex} as bigint), cast(${l.leafVersion} as integer))`,
          ),
        );
        const result = await sql`
          with v(id, person_ref, leaf_hash, leaf_index, leaf_version) as (values ${values})
          update audit_events set person_ref = v.person_ref, leaf_hash = v.leaf_hash, leaf_index = v.leaf_index,
            leaf_version = v.leaf_version
          from v where audit_events.id = v.id and audit_events.leaf_index is null`.execute(tx);
        updated = Number(result.numAffectedRows ?? 0);
      }
      if (updated !== leaves.length) throw new Error('audit records changed while the log integrated them');
    },

    /** Leaf hashes (hex) of the leaves in [from, to), in order. */
    leafHashes(
      from: number,
      to: number,
      on: Executor = db,
    ): Promise<{ leaf_index: number | null; leaf_hash: string | null }[]> {
      return on
        .selectFrom('audit_events')
        .select(['leaf_index', 'leaf_hash'])
        .where('leaf_index', '>=', from)
        .where('leaf_index', '<', to)
        .orderBy('leaf_index')
        .execute();
    },

    /** The records of leaves [start, start + limit), in order (gaps, if any, simply missing). */
    leaves(start: number, limit: number, on: Executor = db): Promise<AuditRow[]> {
      checkPage(limit);
      return on
        .selectFrom('audit_events')
        .selectAll()
        .where('leaf_index', '>=', start)
        .where('leaf_index', '<', start + limit)
        .orderBy('leaf_index')
        .execute();
    },

    /** The records with leaf index ≥ `after`, in order, a page at a time (for verification). */
    leavesFrom(after: number, limit: number, on: Executor = db): Promise<AuditRow[]> {
      checkPage(limit);
      return on
        .selectFrom('audit_events')
        .selectAll()
        .where('leaf_index', '>=', after)
        .orderBy('leaf_index')
        .limit(limit)
        .execute();
    },

    leavesOfEvents(
      ids: readonly string[],
    ): Promise<{ id: string; leaf_index: number | null; leaf_hash: string | null }[]> {
      if (ids.length === 0) return Promise.resolve([]);
      if (ids.length > MAX_PAGE) throw new RangeError('at most 1000 ids');
      return db.selectFrom('audit_events').select(['id', 'leaf_index', 'leaf_hash']).where('id', 'in', ids).execute();
    },

    async insertHead(tx: Tx, head: TreeHeadRow): Promise<void> {
      await tx.insertInto('tree_heads').values(head).execute();
    },

    latestHead(on: Executor = db): Promise<TreeHeadRow | undefined> {
      return on.selectFrom('tree_heads').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
    },

    head(treeSize: number, on: Executor = db): Promise<TreeHeadRow | undefined> {
      return on.selectFrom('tree_heads').selectAll().where('tree_size', '=', treeSize).executeTakeFirst();
    },

    /** Heads with a size above `after`, smallest first, a page at a time. */
    headsAfter(after: number, limit: number, on: Executor = db): Promise<TreeHeadRow[]> {
      checkPage(limit);
      return on
        .selectFrom('tree_heads')
        .selectAll()
        .where('tree_size', '>', after)
        .orderBy('tree_size')
        .limit(limit)
        .execute();
    },
  };
}

export type TransparencyRepository = ReturnType<typeof createTransparencyRepository>;
