import type { Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, IncidentTable, NotificationTable } from '../../db/schema.js';

export type IncidentRow = Selectable<IncidentTable>;
export type NotificationRow = Selectable<NotificationTable>;

export interface IncidentScope {
  readonly segmentId?: string | undefined;
  readonly relyingPartyId?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** SQL for incidents, who they touched, and their notices. */
export function createIncidentsRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: IncidentRow): Promise<void> {
      await tx.insertInto('incidents').values(row).execute();
    },

    async insertNotifications(tx: Tx, rows: readonly NotificationRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += 500) {
        await tx
          .insertInto('notifications')
          .values(rows.slice(i, i + 500))
          .onConflict((oc) => oc.columns(['incident_id', 'person_id']).doNothing())
          .execute();
      }
    },

    /**
     * The people an incident touched, with open accounts: those of the segment (who had an account during the
     * window), and/or those whose biometrics the relying party used (in the window). Both given: both must hold.
     */
    async affected(scope: IncidentScope): Promise<string[]> {
      let q = db.selectFrom('persons as p').select('p.id').distinct().where('p.status', '!=', 'closed');
      if (scope.segmentId) q = q.where('p.segment_id', '=', scope.segmentId);
      if (scope.to) q = q.where('p.created_at', '<', scope.to);
      if (scope.from)
        q = q.where((eb) => eb.or([eb('p.deleted_at', 'is', null), eb('p.deleted_at', '>=', scope.from!)]));
      if (scope.relyingPartyId) {
        const rp = scope.relyingPartyId;
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('audit_events as e')
              .select('e.seq')
              .whereRef('e.person_id', '=', 'p.id')
              .where('e.actor_id', '=', rp)
              .$if(scope.from !== undefined, (w) => w.where('e.at', '>=', scope.from!))
              .$if(scope.to !== undefined, (w) => w.where('e.at', '<', scope.to!)),
          ),
        );
      }
      return (await q.orderBy('p.id').execute()).map((r) => r.id);
    },

    /** The incidents that touched a person, with the notice they were sent. */
    forPerson(personId: string) {
      return db
        .selectFrom('notifications as n')
        .innerJoin('incidents as i', 'i.id', 'n.incident_id')
        .leftJoin('principals as p', 'p.id', 'i.responsible_id')
        .select([
          'i.id',
          'i.created_at',
          'i.responsible_kind',
          'i.responsible_id',
          'p.name as responsible_name',
          'i.segment_id',
          'i.relying_party_id',
          'i.window_from',
          'i.window_to',
          'i.description',
          'i.contact',
          'i.actions',
          'n.status',
          'n.sent_at',
        ])
        .where('n.person_id', '=', personId)
        .orderBy('i.created_at', 'desc')
        .execute();
    },

    countNotices(incidentId: string) {
      return db
        .selectFrom('notifications')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('incident_id', '=', incidentId)
        .groupBy('status')
        .execute();
    },
  };
}

export type IncidentsRepository = ReturnType<typeof createIncidentsRepository>;
