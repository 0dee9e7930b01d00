import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { AuditAction, AuditFact, AuditService } from '../audit/audit.service.js';
import type { PersonRow, Repositories } from '../../repositories.js';
import type { Actor, AgeRules } from '../consent/consent-policy.js';
import type { Pseudonyms } from '../pseudonyms/pseudonyms.js';
import {
  adminOnly,
  citizenMayActFor,
  consentAllows,
  auditorMay,
  consentAllowsAny,
  operatorMay,
  relyingPartyMay,
  relyingPartyMayUse,
  type Decision,
} from './access-policy.js';
import { recordingRefusals, recordRefusal, type RefusalContext } from './audit-trail.js';
import type { CallContext } from './principal.js';
import type { Purpose } from './purposes.js';

/**
 * The one authorisation step. Every enrolment, verification, identification and operator action passes
 * through here: relying party × purpose × segment, then the person's consent (grants per party, expiries,
 * locks and the age rules, in the pure consent policy); no other path may decide on consent.
 * Refusals are audited (the reason goes to the record, not to the caller).
 */
export class AccessService {
  constructor(
    private readonly repos: Pick<Repositories, 'persons' | 'consent' | 'segments'>,
    private readonly audit: AuditService,
    private readonly pseudonyms: Pseudonyms,
    private readonly clock: Clock,
  ) {}

  async authoriseEnrolment(ctx: CallContext, segmentId: string): Promise<void> {
    await this.enforce(ctx, relyingPartyMay(ctx.principal, 'enrol', segmentId), {
      action: 'enrolment',
      segmentId,
    });
  }

  /**
   * For adding a template to an existing person, named by the party's pseudonym: the person must exist in a
   * segment the party may enrol in, and allow this party one of its purposes now (no lock, no revocation, no
   * expiry), as verification requires: a new template is a comparison with the person's face.
   */
  async authoriseReEnrolment(ctx: CallContext, pseudonym: string): Promise<PersonRow> {
    await this.enforce(ctx, relyingPartyMayUse(ctx.principal, 'enrol'), { action: 'template.add' });
    const personId = await this.knownTo(ctx, pseudonym);
    const state = (await this.repos.consent.stateOf([personId])).get(personId);
    const fact = { action: 'template.add', personId, segmentId: state?.segmentId } as const;
    const uses = ctx.principal.purposes.map((purpose) => this.use(ctx, purpose));
    await this.enforce(ctx, consentAllowsAny(state, uses), fact);
    const person = await this.activePerson(personId, pseudonym);
    await this.enforce(ctx, relyingPartyMay(ctx.principal, 'enrol', person.segment_id), fact);
    return person;
  }

  /**
   * Verification of a claimed person (named by the party's pseudonym): the party's right and purpose, then the
   * person's consent to this party, which also decides whether it may reach across segments.
   */
  async authoriseVerification(ctx: CallContext, pseudonym: string, purpose: Purpose): Promise<PersonRow> {
    return this.consentingPerson(ctx, pseudonym, purpose, 'verify');
  }

  /**
   * Identification: the segments to search. The one asked for must be the party's; without one, every segment
   * of the party, and those whose people granted it this purpose across segments.
   */
  async authoriseIdentification(ctx: CallContext, purpose: Purpose, segmentId?: string): Promise<string[]> {
    const fact = { action: 'identification', purpose, segmentId } as const;
    await this.enforce(ctx, relyingPartyMayUse(ctx.principal, 'identify', purpose), fact);
    if (segmentId !== undefined) {
      await this.enforce(ctx, relyingPartyMay(ctx.principal, 'identify', segmentId, purpose), fact);
      return [segmentId];
    }
    const guests = await this.repos.consent.guestSegments(ctx.principal.id, purpose);
    return [...new Set([...ctx.principal.segments, ...guests])];
  }

  /**
   * A person a party puts into one of its groups (a venue's access list, a school's pupils), by its pseudonym:
   * the party's right to identify for the purpose, then the person's consent to it (for a minor, a guardian's
   * grant), exactly as a search would decide. Returns the person's real id, for the group's gallery.
   */
  async authoriseGroupMember(ctx: CallContext, pseudonym: string, purpose: Purpose): Promise<PersonRow> {
    return this.consentingPerson(ctx, pseudonym, purpose, 'identify');
  }

  /** The people behind a party's pseudonyms (a group's members); pseudonyms it was never given are skipped. */
  async groupMembers(ctx: CallContext, pseudonyms: readonly string[]): Promise<string[]> {
    const ids = await Promise.all([...new Set(pseudonyms)].map((p) => this.pseudonyms.resolve(ctx.principal.id, p)));
    return ids.filter((id): id is string => id !== undefined);
  }

  /**
   * Of the matcher's candidates, those this party may see: active people whose consent allows this use. The
   * store is asked, not the matcher, so a person erased or a grant revoked a moment ago is never returned.
   */
  async admissibleCandidates(ctx: CallContext, personIds: readonly string[], purpose: Purpose): Promise<Set<string>> {
    const states = await this.repos.consent.stateOf(personIds);
    const use = this.use(ctx, purpose);
    return new Set(personIds.filter((id) => consentAllows(states.get(id), use).allowed));
  }

  /**
   * Operator actions on a person (deletion, viewing), by their real id: administrators, or an operator of the
   * person's segment. `erasedToo` also finds a person whose biometrics are erased (their account is open).
   */
  async authoriseOperatorOn(
    ctx: CallContext,
    personId: string,
    action: AuditFact['action'],
    options: { erasedToo?: boolean } = {},
  ): Promise<PersonRow> {
    await this.enforce(ctx, operatorMay(ctx.principal), { action, personId });
    const person = options.erasedToo
      ? await this.repos.persons.findOpen(personId)
      : await this.repos.persons.findActive(personId);
    if (!person) throw personNotFound(personId);
    // Outside the operator's segments the person answers as an unknown id (the refusal is still audited).
    const inSegment = operatorMay(ctx.principal, person.segment_id);
    if (!inSegment.allowed) {
      await recordRefusal(
        this.audit,
        ctx,
        { action, personId, segmentId: person.segment_id },
        inSegment.code,
        inSegment.reason,
      );
      throw personNotFound(personId);
    }
    return person;
  }

  /**
   * Operator actions in a segment, or (without one) any operator action at all; with `segmentRequired`, an
   * operator must name one of its segments (an administrator need not).
   */
  async authoriseOperator(
    ctx: CallContext,
    action: AuditFact['action'],
    segmentId?: string,
    segmentRequired = false,
  ): Promise<void> {
    await this.enforce(ctx, operatorMay(ctx.principal, segmentId, segmentRequired), { action, segmentId });
  }

  /** What administrators alone do: manage segments, principals and keys, and read the audit trail. */
  async authoriseAdministrator(ctx: CallContext, action: AdministratorAction, segmentId?: string): Promise<void> {
    await this.enforce(ctx, adminOnly(ctx.principal), { action, segmentId });
  }

  /** Reading the transparency log's full entries (who did what to whom): auditors and administrators. */
  async authoriseEntriesRead(ctx: CallContext): Promise<void> {
    await this.enforce(ctx, auditorMay(ctx.principal), { action: 'transparency.entries_read' });
  }

  /**
   * Whom a signed-in citizen (the context's principal) may act for: themselves, or a minor in their care until
   * the minor reaches the segment's age of consent. Anything else, an unknown id included, is refused the same
   * way (`citizen.not_allowed`) and audited once under `action`.
   */
  async authoriseCitizen(
    ctx: CallContext,
    subjectId: string | undefined,
    action: AuditAction,
  ): Promise<AuthorisedSubject> {
    const self = ctx.principal.id;
    const id = subjectId ?? self;
    const person = ctx.principal.role === 'citizen' ? await this.repos.persons.findOpen(id) : undefined;
    const rules = person && (await this.repos.segments.rulesOf(person.segment_id));
    const guardian = person && rules && id !== self ? await this.repos.consent.isGuardian(id, self) : false;
    const actor = citizenMayActFor(
      self,
      id,
      person && rules ? { birthDate: person.birth_date, rules, guardian } : undefined,
      isoNow(this.clock),
    );
    if (!person || !rules || !actor) {
      const at = { action, personId: person?.id, segmentId: person?.segment_id };
      await recordRefusal(this.audit, ctx, at, 'citizen.not_allowed', person ? 'not_in_care' : 'unknown_person');
      throw new AppError(
        'citizen.not_allowed',
        'you may act only on your own data or on that of a minor in your care',
        {
          personId: id,
        },
      );
    }
    return { person, actor, rules } as unknown as AuthorisedSubject;
  }

  /**
   * Runs a step that follows authorisation (the capture of a face): its refusal (no face, a suspected spoof,
   * the engine unavailable) is audited once, as the authorisation's are, and thrown on.
   */
  afterAuthorisation<T>(ctx: CallContext, at: RefusalContext, step: () => Promise<T>): Promise<T> {
    return recordingRefusals(this.audit, ctx, at, step);
  }

  /** The party's right for the purpose, then the person's consent to this use (audited when refused). */
  private async consentingPerson(ctx: CallContext, pseudonym: string, purpose: Purpose, right: 'verify' | 'identify') {
    const fact = { action: right === 'verify' ? 'verification' : 'identification', purpose } as const;
    await this.enforce(ctx, relyingPartyMayUse(ctx.principal, right, purpose), fact);
    const personId = await this.knownTo(ctx, pseudonym);
    // Consent first: an erased person has no consent state, so they answer as a revoked grant does.
    const state = (await this.repos.consent.stateOf([personId])).get(personId);
    await this.enforce(ctx, consentAllows(state, this.use(ctx, purpose)), {
      ...fact,
      personId,
      segmentId: state?.segmentId,
    });
    return this.activePerson(personId, pseudonym);
  }

  private use(ctx: CallContext, purpose: Purpose) {
    return {
      relyingPartyId: ctx.principal.id,
      purpose,
      partySegments: ctx.principal.segments,
      now: isoNow(this.clock),
    };
  }

  /** A relying party names people only by its pseudonyms; one it was never given is an unknown person. */
  private async knownTo(ctx: CallContext, pseudonym: string): Promise<string> {
    const personId = await this.pseudonyms.resolve(ctx.principal.id, pseudonym);
    if (personId === undefined) throw personNotFound(pseudonym);
    return personId;
  }

  private async activePerson(personId: string, asNamed: string): Promise<PersonRow> {
    const person = await this.repos.persons.findActive(personId);
    if (!person) throw personNotFound(asNamed);
    return person;
  }

  private async enforce(ctx: CallContext, decision: Decision, at: RefusalContext): Promise<void> {
    if (decision.allowed) return;
    await recordRefusal(this.audit, ctx, at, decision.code, decision.reason);
    // A consent refusal tells the party nothing about the person (a lock, a minor): no reason goes with it.
    throw decision.code === 'consent.missing'
      ? new AppError(decision.code, refusalMessage(decision.code))
      : new AppError(decision.code, refusalMessage(decision.code), { reason: decision.reason });
  }
}

/** Whose data a citizen call acts on, and in what capacity; only {@link AccessService.authoriseCitizen} makes one. */
export type AuthorisedSubject = {
  readonly person: PersonRow;
  readonly actor: Extract<Actor, 'self' | 'guardian'>;
  readonly rules: AgeRules;
} & { readonly [authorised]: true };
declare const authorised: unique symbol;

function personNotFound(named: string): AppError {
  return new AppError('person.not_found', `no person ${named}`, { personId: named });
}

/** The actions only an administrator may take (each refusal is audited under its own action). */
export type AdministratorAction = Extract<
  AuditFact['action'],
  | 'principal.list'
  | 'principal.create'
  | 'principal.revoke'
  | 'principal.signing_key'
  | 'key.list'
  | 'key.rotate'
  | 'audit.read'
  | 'segment.create'
>;

function refusalMessage(code: 'auth.forbidden' | 'consent.missing'): string {
  return code === 'consent.missing'
    ? 'the person has not consented to this purpose for this relying party'
    : 'this credential may not perform this operation';
}
