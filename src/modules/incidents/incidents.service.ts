import type { Transactor } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { NotificationOutbox } from '../notifications/outbox.js';
import type { Repositories } from '../../repositories.js';
import type { RenewalService } from '../templates/renewal.service.js';
import type { IncidentScope } from './incidents.repository.js';

export interface NewIncident {
  readonly responsible: { readonly kind: 'operator' | 'relying_party'; readonly id: string };
  readonly scope: IncidentScope;
  readonly description: string;
  /** Whom affected citizens should contact. */
  readonly contact: string;
  /** Re-key the affected segments' templates (default true). */
  readonly rekey?: boolean | undefined;
  /** Revoke the responsible party's API credentials (default false). */
  readonly revokeCredentials?: boolean | undefined;
}

/**
 * Leak response. An operator records an incident: who is responsible, what it touched (a segment, a relying
 * party's uses, a time window) and what happened. In one transaction the incident (the liability record), a
 * notice for every affected citizen (once each) and the audit record commit; then the affected segments are
 * re-keyed (templates taken in the leak stop matching), the responsible credentials are revoked if asked, and
 * the notices are delivered through the outbox.
 */
export class IncidentsService {
  constructor(
    private readonly repos: Pick<Repositories, 'incidents' | 'principals'>,
    private readonly transactions: Transactor,
    private readonly access: Pick<AccessService, 'authoriseOperator'>,
    private readonly audit: Pick<AuditService, 'record'>,
    private readonly renewal: Pick<RenewalService, 'rekey'>,
    private readonly outbox: Pick<NotificationOutbox, 'deliver'>,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  async open(ctx: CallContext, input: NewIncident) {
    const { scope } = input;
    await this.access.authoriseOperator(ctx, 'incident.open', scope.segmentId);
    const { responsible, party } = await this.parties(ctx, input);
    // Before anything is written: an operator revokes only principals wholly inside its own segments.
    if (input.revokeCredentials) {
      for (const segment of JSON.parse(responsible.segments) as string[]) {
        await this.access.authoriseOperator(ctx, 'principal.revoke', segment);
      }
    }
    const segments = scope.segmentId ? [scope.segmentId] : (JSON.parse(party!.segments) as string[]);
    const id = this.ids.next('inc');
    const affected = await this.repos.incidents.affected(scope);
    await this.record(ctx, input, { id, responsibleName: responsible.name, affected });
    // A party that keeps its own template view has its enrolments renewed alone; otherwise whole segments.
    const partyView = !scope.segmentId && party?.own_template_view === 1 ? party.id : undefined;
    const rekeyed = (input.rekey ?? true) ? await this.renew(ctx, id, segments, partyView) : [];
    const credentialsRevoked = input.revokeCredentials ? await this.revoke(ctx, input.responsible.id, id) : false;
    const delivered = await this.outbox.deliver();
    return {
      id,
      affectedCitizens: affected.length,
      notificationsQueued: affected.length,
      notificationsSent: delivered,
      rekeyed,
      credentialsRevoked,
    };
  }

  /** The responsible principal and the relying party in scope, checked against what the incident names. */
  private async parties(ctx: CallContext, { scope, responsible: named }: NewIncident) {
    if (!scope.segmentId && !scope.relyingPartyId) {
      throw new AppError('incident.scope_empty', 'name the segment and/or the relying party the incident touched');
    }
    // An operator records incidents in its own segment only, so it must name it (an administrator need not).
    await this.access.authoriseOperator(ctx, 'incident.open', scope.segmentId, true);
    const responsible = await this.repos.principals.find(named.id);
    if (responsible?.role !== named.kind) {
      throw new AppError('relying_party.not_found', `no ${named.kind} ${named.id}`);
    }
    const party = scope.relyingPartyId ? await this.repos.principals.find(scope.relyingPartyId) : undefined;
    if (scope.relyingPartyId && party?.role !== 'relying_party') {
      throw new AppError('relying_party.not_found', `no relying party ${scope.relyingPartyId}`);
    }
    return { responsible, party };
  }

  /** The incident (the liability record), a notice for each affected citizen and the audit record, at once. */
  private async record(
    ctx: CallContext,
    input: NewIncident,
    incident: { id: string; responsibleName: string; affected: readonly string[] },
  ): Promise<void> {
    const { id, affected } = incident;
    const { scope } = input;
    const at = isoNow(this.clock);
    const subject = 'A data incident touched your biometric record';
    const body =
      `On ${at.slice(0, 10)} an incident was recorded: ${input.description}\n` +
      `Responsible: ${incident.responsibleName}. What was done: your templates were renewed` +
      `${input.revokeCredentials ? " and the responsible party's access was revoked" : ''}. ` +
      `Contact: ${input.contact}. Details: your Oblik account, Incidents (${id}).`;
    await this.transactions.transaction(async (tx) => {
      await this.repos.incidents.insert(tx, {
        id,
        opened_by: ctx.principal.id,
        responsible_kind: input.responsible.kind,
        responsible_id: input.responsible.id,
        segment_id: scope.segmentId ?? null,
        relying_party_id: scope.relyingPartyId ?? null,
        window_from: scope.from ?? null,
        window_to: scope.to ?? null,
        description: input.description,
        contact: input.contact,
        actions: JSON.stringify({ rekey: input.rekey ?? true, revokeCredentials: input.revokeCredentials ?? false }),
        affected: affected.length,
        created_at: at,
      });
      await this.repos.incidents.insertNotifications(
        tx,
        affected.map((personId) => ({
          id: this.ids.next('ntf'),
          person_id: personId,
          incident_id: id,
          subject,
          body,
          status: 'pending' as const,
          attempts: 0,
          last_error: null,
          created_at: at,
          sent_at: null,
        })),
      );
      await this.audit.record(tx, ctx, {
        action: 'incident.open',
        result: 'recorded',
        segmentId: scope.segmentId,
        detail: { incidentId: id, responsible: input.responsible, scope, affected: affected.length },
      });
    });
  }

  /** Re-keys each segment (or only the party's own view of it), so templates taken in the leak stop matching. */
  private async renew(ctx: CallContext, incidentId: string, segments: readonly string[], partyView?: string) {
    const rekeyed = [];
    for (const segment of segments) {
      const done = await this.renewal.rekey(ctx, segment, { relyingPartyId: partyView, detail: { incidentId } });
      for (const v of done.views) {
        rekeyed.push({
          segment,
          relyingPartyId: v.relyingPartyId,
          transformVersion: v.transformVersion,
          templatesMoved: v.templatesMoved,
        });
      }
    }
    return rekeyed;
  }

  /** Revokes the responsible principal's credentials, audited in the same transaction. */
  private revoke(ctx: CallContext, principalId: string, incidentId: string): Promise<boolean> {
    return this.transactions.transaction(async (tx) => {
      const revoked = await this.repos.principals.revoke(tx, principalId, isoNow(this.clock));
      await this.audit.record(tx, ctx, {
        action: 'principal.revoke',
        result: revoked ? 'revoked' : 'already_revoked',
        detail: { principalId, incidentId },
      });
      return revoked;
    });
  }
}
