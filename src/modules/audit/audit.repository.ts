import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { AuditEventTable, Database } from '../../db/schema.js';

export type AuditEventRow = Selectable<AuditEventTable>;
export type NewAuditEvent = Insertable<AuditEventTable>;

/** SQL for the append-only audit trail: rows are inserted, never updated or deleted. */
export function createAuditRepository(db: Kysely<Database>) {
  return {
    async append(tx: Tx, event: NewAuditEvent): Promise<void> {
      await tx.insertInto('audit_events').values(event).execute();
    },

    list(
      filter: { personId?: string; actorId?: string; action?: string; afterSeq?: number },
      limit: number,
    ): Promise<AuditEventRow[]> {
      if (limit < 1 || limit > 1000) throw new RangeError('limit must be 1..1000');
      let q = db.selectFrom('audit_events').selectAll();
      if (filter.personId) q = q.where('person_id', '=', filter.personId);
      if (filter.actorId) q = q.where('actor_id', '=', filter.actorId);
      if (filter.action) q = q.where('action', '=', filter.action);
      if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
      return q.orderBy('seq').limit(limit).execute();
    },

    /** Where a record stands: when it was written and, once the log integrated it, its leaf. */
    placeOf(id: string): Promise<Pick<AuditEventRow, 'at' | 'leaf_index' | 'leaf_hash'> | undefined> {
      return db
        .selectFrom('audit_events')
        .select(['at', 'leaf_index', 'leaf_hash'])
        .where('id', '=', id)
        .executeTakeFirst();
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
