import { SqliteAdapter, sql, type Kysely, type Selectable } from 'kysely';
import type { AuditEventTable, Database, TreeHeadTable } from '../../db/schema.js';

export type AuditRow = Selectable<AuditEventTable>;
export type TreeHeadRow = TreeHeadTable;

/** A record as the log integrates it: its person's reference, its leaf hash (hex) and its index. */
export interface LeafAssignment {
  readonly id: string;
  readonly personRef: string | null;
  readonly leafHash: string;
  readonly leafIndex: number;
}

const MAX_PAGE = 1000;

function checkPage(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new RangeError('limit must be 1..1000');
}

/** SQL for the transparency log: leaves on `audit_events`, `tree_heads`, and the `log_state` row. */
export const transparencyRepository = {
  async hasPending(db: Kysely<Database>): Promise<boolean> {
    const row = await db
      .selectFrom('audit_events')
      .select('seq')
      .where('leaf_index', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  },

  /** Records not yet in the log, oldest insert first. */
  pending(db: Kysely<Database>, limit: number): Promise<AuditRow[]> {
    checkPage(limit);
    return db
      .selectFrom('audit_events')
      .selectAll()
      .where('leaf_index', 'is', null)
      .orderBy('seq')
      .limit(limit)
      .execute();
  },

  countPending(db: Kysely<Database>): Promise<number> {
    return db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('leaf_index', 'is', null)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  },

  /** Records not in the log that nonetheless carry a leaf hash (possible only by tampering), oldest first. */
  unindexedWithHash(db: Kysely<Database>, limit: number): Promise<AuditRow[]> {
    checkPage(limit);
    return db
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
  async lock(tx: Kysely<Database>): Promise<number> {
    const row = await tx
      .updateTable('log_state')
      .set((eb) => ({ tree_size: eb.ref('tree_size') }))
      .where('id', '=', 1)
      .returning('tree_size')
      .executeTakeFirst();
    if (!row) throw new Error('log_state has no row 1: the transparency migration did not run');
    return Number(row.tree_size);
  },

  async size(db: Kysely<Database>): Promise<number> {
    const row = await db.selectFrom('log_state').select('tree_size').where('id', '=', 1).executeTakeFirst();
    return Number(row?.tree_size ?? 0);
  },

  async setSize(tx: Kysely<Database>, size: number): Promise<void> {
    await tx.updateTable('log_state').set({ tree_size: size }).where('id', '=', 1).execute();
  },

  /**
   * Stores each record's leaf; fails unless every record was still outside the log. PostgreSQL takes them in
   * one statement (one round trip); SQLite, in process, one prepared update each (its planner would scan the
   * table for a joined update).
   */
  async assignLeaves(tx: Kysely<Database>, leaves: readonly LeafAssignment[]): Promise<void> {
    if (leaves.length === 0) return;
    if (leaves.length > MAX_PAGE) throw new RangeError('at most 1000 leaves per call');
    let updated = 0;
    if (tx.getExecutor().adapter instanceof SqliteAdapter) {
      for (const l of leaves) {
        const result = await tx
          .updateTable('audit_events')
          .set({ person_ref: l.personRef, leaf_hash: l.leafHash, leaf_index: l.leafIndex })
          .where('id', '=', l.id)
          .where('leaf_index', 'is', null)
          .executeTakeFirst();
        updated += Number(result.numUpdatedRows);
      }
    } else {
      const values = sql.join(
        leaves.map((l) => sql`(${l.id}, ${l.personRef}, ${l.leafHash}, cast(${l.leafIndex} as bigint))`),
      );
      const result = await sql`
        with v(id, person_ref, leaf_hash, leaf_index) as (values ${values})
        update audit_events set person_ref = v.person_ref, leaf_hash = v.leaf_hash, leaf_index = v.leaf_index
        from v where audit_events.id = v.id and audit_events.leaf_index is null`.execute(tx);
      updated = Number(result.numAffectedRows ?? 0);
    }
    if (updated !== leaves.length) throw new Error('audit records changed while the log integrated them');
  },

  /** Leaf hashes (hex) of the leaves in [from, to), in order. */
  leafHashes(
    db: Kysely<Database>,
    from: number,
    to: number,
  ): Promise<{ leaf_index: number | null; leaf_hash: string | null }[]> {
    return db
      .selectFrom('audit_events')
      .select(['leaf_index', 'leaf_hash'])
      .where('leaf_index', '>=', from)
      .where('leaf_index', '<', to)
      .orderBy('leaf_index')
      .execute();
  },

  /** The records of leaves [start, start + limit), in order (gaps, if any, simply missing). */
  leaves(db: Kysely<Database>, start: number, limit: number): Promise<AuditRow[]> {
    checkPage(limit);
    return db
      .selectFrom('audit_events')
      .selectAll()
      .where('leaf_index', '>=', start)
      .where('leaf_index', '<', start + limit)
      .orderBy('leaf_index')
      .execute();
  },

  /** The records with leaf index ≥ `after`, in order, a page at a time (for verification). */
  leavesFrom(db: Kysely<Database>, after: number, limit: number): Promise<AuditRow[]> {
    checkPage(limit);
    return db
      .selectFrom('audit_events')
      .selectAll()
      .where('leaf_index', '>=', after)
      .orderBy('leaf_index')
      .limit(limit)
      .execute();
  },

  leavesOfEvents(
    db: Kysely<Database>,
    ids: readonly string[],
  ): Promise<{ id: string; leaf_index: number | null; leaf_hash: string | null }[]> {
    if (ids.length === 0) return Promise.resolve([]);
    if (ids.length > MAX_PAGE) throw new RangeError('at most 1000 ids');
    return db.selectFrom('audit_events').select(['id', 'leaf_index', 'leaf_hash']).where('id', 'in', ids).execute();
  },

  async insertHead(tx: Kysely<Database>, head: TreeHeadRow): Promise<void> {
    await tx.insertInto('tree_heads').values(head).execute();
  },

  latestHead(db: Kysely<Database>): Promise<TreeHeadRow | undefined> {
    return db.selectFrom('tree_heads').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
  },

  head(db: Kysely<Database>, treeSize: number): Promise<TreeHeadRow | undefined> {
    return db.selectFrom('tree_heads').selectAll().where('tree_size', '=', treeSize).executeTakeFirst();
  },

  /** Heads with a size above `after`, smallest first, a page at a time. */
  headsAfter(db: Kysely<Database>, after: number, limit: number): Promise<TreeHeadRow[]> {
    checkPage(limit);
    return db
      .selectFrom('tree_heads')
      .selectAll()
      .where('tree_size', '>', after)
      .orderBy('tree_size')
      .limit(limit)
      .execute();
  },
};
