import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { AuditService } from '../audit/audit.service.js';
import { mayGrant } from '../consent/consent-policy.js';
import { grantRefused } from '../consent/grant-refused.js';
import { consentRepository } from '../consent/consent.repository.js';
import { toConsent, toLock } from '../persons/person-record.js';
import { principalsRepository } from '../principals/principals.repository.js';
import { citizenContext } from './citizen-principal.js';
import type { CitizenSession } from './citizen-sessions.js';
import type { CitizenSubjects } from './citizen-subjects.js';
import type { LogReceipts } from './log-receipts.js';

/**
 * Consent per relying party and purpose, and locks, managed by the citizen (or a minor's guardian). Every
 * grant, revocation and lock change is audited in its own transaction and answered with a receipt naming its
 * transparency-log entry. Revocation takes effect on the next request: the authorisation step reads grants
 * from the store on every match.
 */
export class CitizenConsentsService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly subjects: CitizenSubjects,
    private readonly audit: AuditService,
    private readonly receipts: LogReceipts,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  async list(session: CitizenSession, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
    const now = isoNow(this.clock);
    return (await consentRepository.listGrants(this.db, person.id)).map((g) => toConsent(g, now));
  }

  async grant(
    session: CitizenSession,
    requestId: string,
    input: {
      relyingPartyId: string;
      purpose: string;
      expiresAt?: string;
      scope?: 'segment' | 'all';
      personId?: string;
    },
  ) {
    const { person, actor, rules } = await this.subjects.resolve(session, input.personId);
    if (person.status !== 'active') {
      throw new AppError('citizen.biometrics_erased', 'there are no biometrics to consent to any use of');
    }
    const party = await principalsRepository.find(this.db, input.relyingPartyId);
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
    const eventId = await this.db.transaction().execute(async (tx) => {
      // One live grant per party and purpose: a new one (a changed expiry or scope, or a repeated request)
      // replaces the old, so a single revocation always ends the party's access.
      const superseded = await consentRepository.revokeFor(
        tx,
        { personId: person.id, relyingPartyId: party.id, purpose: input.purpose },
        now,
        `superseded:${id}`,
      );
      await consentRepository.insertGrant(tx, row);
      return this.audit.record(tx, citizenContext(session.personId, requestId), {
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
    });
    return { id, consent: toConsent(row, now), receipt: await this.receipts.of(eventId, 'consent.granted') };
  }

  async revoke(session: CitizenSession, requestId: string, consentId: string) {
    const grant = await consentRepository.findGrant(this.db, consentId);
    if (!grant) throw new AppError('consent.not_found', `no consent ${consentId}`);
    const { person } = await this.subjects.resolve(session, grant.person_id).catch(() => {
      throw new AppError('consent.not_found', `no consent ${consentId}`);
    });
    const now = isoNow(this.clock);
    const eventId = await this.db.transaction().execute(async (tx) => {
      if (!(await consentRepository.revokeGrant(tx, consentId, now, session.personId))) {
        throw new AppError('consent.not_found', `consent ${consentId} is already revoked`);
      }
      return this.audit.record(tx, citizenContext(session.personId, requestId), {
        action: 'consent.revoke',
        result: 'revoked',
        purpose: grant.purpose,
        segmentId: person.segment_id,
        personId: person.id,
        detail: { consentId, relyingPartyId: grant.relying_party_id },
      });
    });
    const revoked = { ...grant, revoked_at: now, revoked_by: session.personId };
    return {
      id: consentId,
      consent: toConsent(revoked, now),
      receipt: await this.receipts.of(eventId, 'consent.revoked'),
    };
  }

  async locks(session: CitizenSession, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
    const now = isoNow(this.clock);
    return (await consentRepository.listLocks(this.db, person.id)).map((l) => toLock(l, now));
  }

  /** Locks all biometric use (no purpose) or one purpose: matches then behave as without consent. */
  async lock(session: CitizenSession, requestId: string, input: { purpose?: string; personId?: string }) {
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
    const eventId = await this.db.transaction().execute(async (tx) => {
      await consentRepository.insertLock(tx, row);
      return this.audit.record(tx, citizenContext(session.personId, requestId), {
        action: 'lock.add',
        result: 'locked',
        purpose: row.purpose ?? undefined,
        segmentId: person.segment_id,
        personId: person.id,
        detail: { lockId: row.id },
      });
    });
    return { ...toLock(row, now), receipt: await this.receipts.of(eventId, 'lock.added') };
  }

  /** Removes a lock, or with `minutes` lifts it only for that long (it holds again afterwards). */
  async unlock(session: CitizenSession, requestId: string, lockId: string, minutes?: number) {
    const lock = await consentRepository.findLock(this.db, lockId);
    if (!lock) throw new AppError('lock.not_found', `no lock ${lockId}`);
    const { person } = await this.subjects.resolve(session, lock.person_id).catch(() => {
      throw new AppError('lock.not_found', `no lock ${lockId}`);
    });
    const now = this.clock.now();
    const change =
      minutes === undefined
        ? { removed_at: now.toISOString() }
        : { unlocked_until: new Date(now.getTime() + minutes * 60_000).toISOString() };
    const eventId = await this.db.transaction().execute(async (tx) => {
      if (!(await consentRepository.updateLock(tx, lockId, change))) {
        throw new AppError('lock.not_found', `lock ${lockId} is already removed`);
      }
      return this.audit.record(tx, citizenContext(session.personId, requestId), {
        action: minutes === undefined ? 'lock.remove' : 'lock.unlock',
        result: minutes === undefined ? 'removed' : 'unlocked',
        purpose: lock.purpose ?? undefined,
        segmentId: person.segment_id,
        personId: person.id,
        detail: { lockId, ...change },
      });
    });
    const updated = { ...lock, ...change };
    return { ...toLock(updated, now.toISOString()), receipt: await this.receipts.of(eventId, 'lock.changed') };
  }
}
