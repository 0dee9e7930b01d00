import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AuditEventTable, Database } from '../../db/schema.js';

export type AuditEventRow = Selectable<AuditEventTable>;
export type NewAuditEvent = Insertable<AuditEventTable>;

/** SQL for the append-only audit trail: rows are inserted, never updated or deleted. */
export const auditRepository = {
  async append(db: Kysely<Database>, event: NewAuditEvent): Promise<void> {
    await db.insertInto('audit_events').values(event).execute();
  },

  list(
    db: Kysely<Database>,
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
};
