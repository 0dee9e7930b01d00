import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface UsageFilter {
  readonly action?: string | undefined;
  readonly purpose?: string | undefined;
  readonly actorId?: string | undefined;
  readonly result?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Page before this audit sequence number (newest first). */
  readonly before?: number | undefined;
}

/** SQL for a person's own audit records, newest first, with the acting principal's name. */
export function createUsageRepository(db: Kysely<Database>) {
  return {
    page(personId: string, filter: UsageFilter, limit: number) {
      if (limit < 1 || limit > 1001) throw new RangeError('limit must be 1..1001');
      let q = db
        .selectFrom('audit_events as e')
        .leftJoin('principals as p', 'p.id', 'e.actor_id')
        .select([
          'e.seq',
          'e.id',
          'e.at',
          'e.actor_id',
          'e.actor_role',
          'p.name as actor_name',
          'e.action',
          'e.purpose',
          'e.segment_id',
          'e.template_id',
          'e.result',
          'e.score',
          'e.detail',
          'e.person_id',
          'e.request_id',
          'e.person_ref',
          'e.mac',
          'e.leaf_index',
          'e.leaf_hash',
          'e.leaf_version',
        ])
        .where('e.person_id', '=', personId);
      if (filter.action) q = q.where('e.action', '=', filter.action);
      if (filter.purpose) q = q.where('e.purpose', '=', filter.purpose);
      if (filter.actorId) q = q.where('e.actor_id', '=', filter.actorId);
      if (filter.result) q = q.where('e.result', '=', filter.result);
      if (filter.from) q = q.where('e.at', '>=', filter.from);
      if (filter.to) q = q.where('e.at', '<', filter.to);
      if (filter.before !== undefined) q = q.where('e.seq', '<', filter.before);
      return q.orderBy('e.seq', 'desc').limit(limit).execute();
    },
  };
}

export type UsageRepository = ReturnType<typeof createUsageRepository>;
