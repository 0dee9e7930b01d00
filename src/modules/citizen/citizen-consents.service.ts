import type { Tx } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { AuditService } from '../audit/audit.service.js';
import { mayGrant } from '../consent/consent-policy.js';
import { grantRefused } from '../consent/grant-refused.js';
import { toConsent, toLock } from '../persons/person-record.js';
import type { Repositories } from '../../repositories.js';
import type { CallContext } from '../access/principal.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { requireTwoFactors, type SignedInCitizen } from './citizen-sessions.service.js';
import type { CitizenSubjects } from './citizen-subjects.js';
import type { LogReceipt, LogReceipts } from './log-receipts.js';

/** The signed-in citizen and the call as the audit sees it. */
export interface CitizenCall {
  readonly session: SignedInCitizen;
  readonly ctx: CallContext;
}

/**
 * Consent per relying party and purpose, and locks, managed by the citizen (or a minor's guardian). Every
 * grant, revocation and lock change is audited in its own transaction and answered with a receipt naming its
 * transparency-log entry. Revocation takes effect on the next request: the authorisation step reads grants
 * from the store on every match.
 */
export class CitizenConsentsService {
  constructor(
    private readonly repos: Pick<Repositories, 'consent' | 'principals'>,
    private readonly subjects: Pick<CitizenSubjects, 'resolve'>,
    private readonly audit: Pick<AuditService, 'record'>,
    private readonly receipts: Pick<LogReceipts, 'of'>,
    private readonly idempotency: Pick<IdempotencyService, 'replay' | 'commit'>,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  async list(session: SignedInCitizen, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
    const now = isoNow(this.clock);
    return (await this.repos.consent.listGrants(person.id)).map((g) => toConsent(g, now));
  }

  async grant(
    { session, ctx }: CitizenCall,
    input: {
      relyingPartyId: string;
      purpose: string;
      expiresAt?: string;
      scope?: 'segment' | 'all';
      personId?: string;
    },
  ) {
    requireTwoFactors(session);
    return this.once(ctx, 201, 'consent.granted', async () => {
      const { person, actor, rules } = await this.subjects.resolve(session, input.personId);
      if (person.status !== 'active') {
        throw new AppError('citizen.biometrics_erased', 'there are no biometrics to consent to any use of');
      }
      const party = await this.repos.principals.find(input.relyingPartyId);
      if (party?.role !== 'relying_party' || party.revoked_at !== null) {
        throw new AppError('relying_party.not_found', `no relying party ${input.relyingPartyId}`);
      }
      if (!(JSON.parse(party.purposes) as string[]).includes(input.purpose)) {
        throw new AppError('consent.purpose_not_offered', `${party.name} is not registered for ${input.purpose}`, {
          purposes: JSON.parse(party.purposes) as string[],
        });
      }
      const now = isoNow(this.clock);
      const verdict = mayGrant(actor, { birthDate: person.birth_date, rules }, input.purpose, now);
      if (!verdict.allowed) throw grantRefused(verdict.reason, input.purpose);
      if (input.expiresAt !== undefined && input.expiresAt <= now) {
        throw new AppError('request.invalid', 'expiresAt must be in the future', { expiresAt: input.expiresAt });
      }
      const id = this.ids.next('cns');
      const row = {
        id,
        person_id: person.id,
        relying_party_id: party.id,
        purpose: input.purpose,
        scope: input.scope ?? ('segment' as const),
        source: actor === 'guardian' ? ('guardian' as const) : ('citizen' as const),
        granted_by: session.personId,
        granted_at: now,
        expires_at: input.expiresAt ?? null,
        revoked_at: null,
        revoked_by: null,
      };
      return async (tx: Tx) => {
        // One live grant per party and purpose: a new one (a changed expiry or scope, or a repeated request)
        // replaces the old, so a single revocation always ends the party's access.
        const superseded = await this.repos.consent.revokeFor(
          tx,
          { personId: person.id, relyingPartyId: party.id, purpose: input.purpose },
          now,
          `superseded:${id}`,
        );
        await this.repos.consent.insertGrant(tx, row);
        const eventId = await this.audit.record(tx, ctx, {
          action: 'consent.grant',
          result: 'granted',
          purpose: input.purpose,
          segmentId: person.segment_id,
          personId: person.id,
          detail: {
            consentId: id,
            relyingPartyId: party.id,
            scope: row.scope,
            expiresAt: row.expires_at,
            by: actor,
            superseded,
          },
        });
        return { answer: { id, consent: toConsent(row, now) }, eventId };
      };
    });
  }

  async revoke({ session, ctx }: CitizenCall, consentId: string) {
    return this.once(ctx, 200, 'consent.revoked', async () => {
      const grant = await this.repos.consent.findGrant(consentId);
      if (!grant) throw new AppError('consent.not_found', `no consent ${consentId}`);
      const { person } = await this.subjects.resolve(session, grant.person_id).catch(() => {
        throw new AppError('consent.not_found', `no consent ${consentId}`);
      });
      const now = isoNow(this.clock);
      return async (tx: Tx) => {
        if (!(await this.repos.consent.revokeGrant(tx, consentId, now, session.personId))) {
          throw new AppError('consent.not_found', `consent ${consentId} is already revoked`);
        }
        const eventId = await this.audit.record(tx, ctx, {
          action: 'consent.revoke',
          result: 'revoked',
          purpose: grant.purpose,
          segmentId: person.segment_id,
          personId: person.id,
          detail: { consentId, relyingPartyId: grant.relying_party_id },
        });
        const revoked = { ...grant, revoked_at: now, revoked_by: session.personId };
        return { answer: { id: consentId, consent: toConsent(revoked, now) }, eventId };
      };
    });
  }

  async locks(session: SignedInCitizen, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
    const now = isoNow(this.clock);
    return (await this.repos.consent.listLocks(person.id)).map((l) => toLock(l, now));
  }

  /** Locks all biometric use (no purpose) or one purpose: matches then behave as without consent. */
  async lock({ session, ctx }: CitizenCall, input: { purpose?: string; personId?: string }) {
    return this.once(ctx, 201, 'lock.added', async () => {
      const { person } = await this.subjects.resolve(session, input.personId);
      const now = isoNow(this.clock);
      const row = {
        id: this.ids.next('lck'),
        person_id: person.id,
        purpose: input.purpose ?? null,
        created_by: session.personId,
        created_at: now,
        unlocked_until: null,
        removed_at: null,
      };
      return async (tx: Tx) => {
        await this.repos.consent.insertLock(tx, row);
        const eventId = await this.audit.record(tx, ctx, {
          action: 'lock.add',
          result: 'locked',
          purpose: row.purpose ?? undefined,
          segmentId: person.segment_id,
          personId: person.id,
          detail: { lockId: row.id },
        });
        return { answer: toLock(row, now), eventId };
      };
    });
  }

  /** Removes a lock, or with `minutes` lifts it only for that long (it holds again afterwards). */
  async unlock({ session, ctx }: CitizenCall, lockId: string, minutes?: number) {
    requireTwoFactors(session);
    return this.once(ctx, 200, 'lock.changed', async () => {
      const lock = await this.repos.consent.findLock(lockId);
      if (!lock) throw new AppError('lock.not_found', `no lock ${lockId}`);
      const { person } = await this.subjects.resolve(session, lock.person_id).catch(() => {
        throw new AppError('lock.not_found', `no lock ${lockId}`);
      });
      const now = this.clock.now();
      const change =
        minutes === undefined
          ? { removed_at: now.toISOString() }
          : { unlocked_until: new Date(now.getTime() + minutes * 60_000).toISOString() };
      return async (tx: Tx) => {
        if (!(await this.repos.consent.updateLock(tx, lockId, change))) {
          throw new AppError('lock.not_found', `lock ${lockId} is already removed`);
        }
        const eventId = await this.audit.record(tx, ctx, {
          action: minutes === undefined ? 'lock.remove' : 'lock.unlock',
          result: minutes === undefined ? 'removed' : 'unlocked',
          purpose: lock.purpose ?? undefined,
          segmentId: person.segment_id,
          personId: person.id,
          detail: { lockId, ...change },
        });
        return { answer: toLock({ ...lock, ...change }, now.toISOString()), eventId };
      };
    });
  }

  /**
   * A citizen's change, once: validated by `prepare` (outside any transaction), then its effect, its audit
   * record and (with `Idempotency-Key`) its stored answer commit together; a replay returns the first answer.
   * The receipt is read after the commit, from the audit record's place in the log.
   */
  private async once<T extends object>(
    ctx: CallContext,
    status: number,
    kind: string,
    prepare: () => Promise<(tx: Tx) => Promise<{ answer: T; eventId: string }>>,
  ): Promise<T & { receipt: LogReceipt }> {
    const done =
      (await this.idempotency.replay<{ answer: T; eventId: string }>(ctx)) ??
      (await this.idempotency.commit(ctx, status, await prepare())).value;
    return { ...done.answer, receipt: await this.receipts.of(done.eventId, kind) };
  }
}
