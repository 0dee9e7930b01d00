import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../errors/app-error.js';
import type { AuditFact, AuditService } from '../audit/audit.service.js';
import { personsRepository, type PersonRow } from '../persons/persons.repository.js';
import { consentAllows, operatorMay, relyingPartyMay, relyingPartyMayUse, type Decision } from './access-policy.js';
import type { CallContext } from './principal.js';
import type { Purpose } from './purposes.js';

/** What a refused request is recorded as. */
type RefusalContext = Pick<AuditFact, 'action' | 'purpose' | 'segmentId' | 'personId'>;

/**
 * The one authorisation step. Every enrolment, verification, identification and operator action passes
 * through here: relying party × purpose × segment, then the person's consent. Citizen-managed consent,
 * locks and guardians extend `consentOf` and the pure policy; no other path may decide on consent.
 * Refusals are audited (the reason goes to the record, not to the caller).
 */
export class AccessService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditService,
  ) {}

  async authoriseEnrolment(ctx: CallContext, segmentId: string): Promise<void> {
    await this.enforce(ctx, relyingPartyMay(ctx.principal, 'enrol', segmentId), {
      action: 'enrolment',
      segmentId,
    });
  }

  /** For adding a template to an existing person: the person must exist in a segment the party may enrol in. */
  async authoriseReEnrolment(ctx: CallContext, personId: string): Promise<PersonRow> {
    await this.enforce(ctx, relyingPartyMayUse(ctx.principal, 'enrol'), { action: 'template.add' });
    const person = await this.activePerson(personId);
    await this.enforce(ctx, relyingPartyMay(ctx.principal, 'enrol', person.segment_id), {
      action: 'template.add',
      segmentId: person.segment_id,
      personId,
    });
    return person;
  }

  /** Verification of a claimed person: the party's right and purpose, the person's segment, their consent. */
  async authoriseVerification(ctx: CallContext, personId: string, purpose: Purpose): Promise<PersonRow> {
    const fact = { action: 'verification', purpose, personId } as const;
    await this.enforce(ctx, relyingPartyMayUse(ctx.principal, 'verify', purpose), fact);
    const person = await this.activePerson(personId);
    const inSegment = { ...fact, segmentId: person.segment_id };
    await this.enforce(ctx, relyingPartyMay(ctx.principal, 'verify', person.segment_id, purpose), inSegment);
    await this.enforce(ctx, consentAllows(await this.consentOf(person.id), purpose), inSegment);
    return person;
  }

  /** Identification: the segments to search (the one asked for, or every segment the party may use). */
  async authoriseIdentification(ctx: CallContext, purpose: Purpose, segmentId?: string): Promise<string[]> {
    const segments = segmentId === undefined ? [...ctx.principal.segments] : [segmentId];
    const fact = { action: 'identification', purpose, segmentId } as const;
    await this.enforce(ctx, relyingPartyMayUse(ctx.principal, 'identify', purpose), fact);
    for (const s of segments) {
      await this.enforce(ctx, relyingPartyMay(ctx.principal, 'identify', s, purpose), { ...fact, segmentId: s });
    }
    return segments;
  }

  /**
   * Of the matcher's candidates, those this call may see: active people who consented to the purpose. The
   * store is asked, not the matcher, so a person deleted a moment ago can never be returned.
   */
  async admissibleCandidates(personIds: readonly string[], purpose: Purpose): Promise<Set<string>> {
    return personsRepository.activeWithConsent(this.db, personIds, purpose);
  }

  /** Operator actions on a person (deletion, viewing): administrators, or an operator of the person's segment. */
  async authoriseOperatorOn(ctx: CallContext, personId: string, action: AuditFact['action']): Promise<PersonRow> {
    await this.enforce(ctx, operatorMay(ctx.principal), { action, personId });
    const person = await this.activePerson(personId);
    await this.enforce(ctx, operatorMay(ctx.principal, person.segment_id), {
      action,
      personId,
      segmentId: person.segment_id,
    });
    return person;
  }

  /** Operator actions in a segment, or (without one) any operator action at all. */
  async authoriseOperator(ctx: CallContext, action: AuditFact['action'], segmentId?: string): Promise<void> {
    await this.enforce(ctx, operatorMay(ctx.principal, segmentId), { action, segmentId });
  }

  private async consentOf(personId: string): Promise<Set<string>> {
    return personsRepository.consentsOf(this.db, personId);
  }

  private async activePerson(personId: string): Promise<PersonRow> {
    const person = await personsRepository.findActive(this.db, personId);
    if (!person) throw new AppError('person.not_found', `no person ${personId}`, { personId });
    return person;
  }

  private async enforce(ctx: CallContext, decision: Decision, at: RefusalContext): Promise<void> {
    if (decision.allowed) return;
    await this.audit.recordAlone(ctx, {
      ...at,
      result: `refused:${decision.code}`,
      detail: { reason: decision.reason },
    });
    throw new AppError(decision.code, refusalMessage(decision.code), { reason: decision.reason });
  }
}

function refusalMessage(code: 'auth.forbidden' | 'consent.missing'): string {
  return code === 'consent.missing'
    ? 'the person has not consented to this purpose for this relying party'
    : 'this credential may not perform this operation';
}
