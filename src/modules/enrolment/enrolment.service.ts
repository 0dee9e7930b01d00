import type { Capture, FaceEngine } from '../../biometrics/face-engine.js';
import type { Tx } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { Repositories } from '../../repositories.js';
import type { AccessService } from '../access/access.service.js';
import type { RefusalContext } from '../access/audit-trail.js';
import { captureRequirements } from '../access/capture-requirements.js';
import type { Effect } from '../access/effect.js';
import type { CallContext } from '../access/principal.js';
import type { Purpose } from '../access/purposes.js';
import { mayGrant } from '../consent/consent-policy.js';
import { grantRefused } from '../consent/grant-refused.js';
import type { PersonKeys } from '../templates/person-keys.js';
import { maskContactAddress, parseContactAddress } from '../notifications/contact-address.js';
import type { ContactBook } from '../notifications/contact-book.js';
import { notCleared } from './duplicate-cases.js';
import type { EnrolmentAttempts } from './enrolment-attempts.js';
import type { EnrolmentResult, FaceTemplate, TemplateCommits } from './template-commits.js';

export type { EnrolmentReceipt, EnrolmentResult, StepProbe } from './template-commits.js';

/** A template another party captured and hands over (a bank's transfer), with the model pack that made it. */
export interface HandedTemplate {
  readonly modelPack: string;
  readonly vector: Float32Array;
}

/** Where the face came from when another party collected it: shown to the citizen with their record. */
export interface Provenance {
  /** The party's own reference for the record. */
  readonly reference: string;
  readonly capturedAt: string;
  readonly evidence: { readonly kind: string; readonly reference: string; readonly at: string };
}

export type NewEnrolment = EnrolmentInput & ({ readonly image: Uint8Array } | { readonly template: HandedTemplate });

interface EnrolmentInput {
  readonly segment: string;
  readonly channel: string;
  /** Purposes the person agrees to for the enrolling party (a minor's come from a guardian, later). */
  readonly consents: readonly Purpose[];
  readonly birthDate?: string | undefined;
  /** A case the operator resolved as `different_people`: its look-alike no longer blocks this face. */
  readonly adjudicationId?: string | undefined;
  /** The citizen's own phone or email (see {@link parseContactAddress}), where their first sign-in code goes. */
  readonly contact?: string | undefined;
  /** The enrolling party collected the face earlier, with this consent evidence (a bank's transfer). */
  readonly provenance?: Provenance | undefined;
}

/** A person being enrolled: their id, their own key, when, and what they consented to. */
interface NewPerson {
  readonly id: string;
  readonly key: Awaited<ReturnType<PersonKeys['mint']>>;
  readonly at: string;
  readonly consents: readonly Purpose[];
  /** The cleared look-alike case this enrolment uses up. */
  readonly adjudicationId?: string | undefined;
  /** The contact they gave, sealed before the transaction that stores it. */
  readonly contact?: Awaited<ReturnType<ContactBook['sealed']>> | undefined;
}

export interface EnrolmentSettings {
  readonly requireLiveness: boolean;
}

/**
 * Enrolment and re-enrolment: the one authorisation step, the consent rules for what the enrolling party may be
 * granted, the capture (quality and liveness enforced), then the one template-commit path
 * ({@link TemplateCommits}) with a new person's rows. Relying-party applications (a bank's transfer, a telecom
 * contract) enrol here too, with an {@link Effect} that commits their own rows with the enrolment.
 */
export class EnrolmentService {
  constructor(
    private readonly engine: Pick<FaceEngine, 'capture' | 'modelPack'>,
    private readonly access: Pick<AccessService, 'authoriseEnrolment' | 'authoriseReEnrolment' | 'afterAuthorisation'>,
    private readonly commits: Pick<TemplateCommits, 'replay' | 'cleared' | 'commit'>,
    private readonly repos: Pick<Repositories, 'persons' | 'consent' | 'segments' | 'adjudications' | 'provenance'>,
    private readonly personKeys: Pick<PersonKeys, 'mint' | 'insert'>,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly settings: EnrolmentSettings,
    private readonly attempts: Pick<EnrolmentAttempts, 'count'>,
    private readonly contacts?: Pick<ContactBook, 'sealed' | 'store'>,
  ) {}

  /** Enrols a new person; with `effect`, resolves to the effect's value (see {@link Effect}). */
  enrol(ctx: CallContext, input: NewEnrolment): Promise<EnrolmentResult>;
  enrol<T>(ctx: CallContext, input: NewEnrolment, effect: Effect<EnrolmentResult, T>): Promise<T>;
  async enrol<T>(
    ctx: CallContext,
    input: NewEnrolment,
    effect?: Effect<EnrolmentResult, T>,
  ): Promise<T | EnrolmentResult> {
    const consents = await this.authorise(ctx, input);
    const cleared = input.adjudicationId
      ? await this.commits.cleared(ctx, input.adjudicationId, input.segment)
      : undefined;
    const replayed = await this.commits.replay<T | EnrolmentResult>(ctx);
    if (replayed !== undefined) return replayed;
    // Counted before the capture: each new attempt is a question to the duplicate search.
    await this.attempts.count(ctx, input.segment);
    const template =
      'image' in input
        ? await this.capture(ctx, input.image, { action: 'enrolment', segmentId: input.segment })
        : this.handedOver(ctx, input.template);
    const personId = this.ids.next('psn');
    const address = input.contact === undefined ? undefined : parseContactAddress(input.contact);
    const contact =
      address && this.contacts
        ? await this.contacts.sealed(personId, input.segment, {
            [address.channel === 'sms' ? 'phone' : 'email']: address.to,
          })
        : undefined;
    const person: NewPerson = {
      id: personId,
      key: await this.personKeys.mint(personId, input.segment),
      at: isoNow(this.clock),
      consents,
      adjudicationId: cleared?.id,
      contact,
    };
    const receipt = {
      citizenId: person.id,
      segment: input.segment,
      enrolledAt: person.at,
      enrolledBy: ctx.principal.id,
      consents,
      activationContact: address ? maskContactAddress(address) : null,
    };
    const commit = {
      ctx,
      action: 'enrolment' as const,
      segmentId: input.segment,
      personId: person.id,
      templateId: this.ids.next('tpl'),
      template,
      channel: input.channel,
      at: person.at,
      personKey: person.key.key,
      exempt: cleared?.candidate_person_id,
      detail: {
        consents,
        ...(cleared ? { adjudicationId: cleared.id } : {}),
        ...(input.provenance ? { provenance: input.provenance, face: 'image' in input ? 'image' : 'template' } : {}),
      },
      writePerson: (tx: Tx) => this.writePerson(tx, ctx, input, person),
    };
    return this.commits.commit(commit, async (tx, result) => {
      const enrolled = { ...result, receipt };
      return effect ? effect(tx, enrolled) : enrolled;
    });
  }

  /**
   * Re-enrolment: a further template for an existing person (named by the party's pseudonym), whose face must
   * match the person's own; with `effect`, resolves to the effect's value.
   */
  addTemplate(
    ctx: CallContext,
    pseudonym: string,
    input: { channel: string; image: Uint8Array },
  ): Promise<EnrolmentResult>;
  addTemplate<T>(
    ctx: CallContext,
    pseudonym: string,
    input: { channel: string; image: Uint8Array },
    effect: Effect<EnrolmentResult, T>,
  ): Promise<T>;
  async addTemplate<T>(
    ctx: CallContext,
    pseudonym: string,
    input: { channel: string; image: Uint8Array },
    effect?: Effect<EnrolmentResult, T>,
  ): Promise<T | EnrolmentResult> {
    const person = await this.access.authoriseReEnrolment(ctx, pseudonym);
    const replayed = await this.commits.replay<T | EnrolmentResult>(ctx);
    if (replayed !== undefined) return replayed;
    const template = await this.capture(ctx, input.image, {
      action: 'template.add',
      segmentId: person.segment_id,
      personId: person.id,
    });
    const commit = {
      ctx,
      action: 'template.add' as const,
      segmentId: person.segment_id,
      personId: person.id,
      pseudonym,
      templateId: this.ids.next('tpl'),
      template,
      channel: input.channel,
      at: isoNow(this.clock),
      matchOwn: true,
      exempt: person.id,
    };
    return this.commits.commit<T | EnrolmentResult>(commit, (tx, result) =>
      effect ? effect(tx, result) : Promise.resolve(result),
    );
  }

  /** The one authorisation step, then what the enrolling party may be granted: the purposes, once each. */
  private async authorise(ctx: CallContext, input: NewEnrolment): Promise<Purpose[]> {
    const rules = await this.repos.segments.rulesOf(input.segment);
    if (!rules) throw new AppError('segment.not_found', `no segment ${input.segment}`, { segment: input.segment });
    await this.access.authoriseEnrolment(ctx, input.segment);
    const consents = [...new Set(input.consents)];
    for (const purpose of consents) {
      if (!ctx.principal.purposes.includes(purpose)) {
        throw new AppError('consent.purpose_not_offered', `the enrolling party is not registered for ${purpose}`, {
          purposes: [...ctx.principal.purposes],
        });
      }
      const person = { birthDate: input.birthDate ?? null, rules };
      const verdict = mayGrant('enrolling_party', person, purpose, isoNow(this.clock));
      if (!verdict.allowed) throw grantRefused(verdict.reason, purpose);
    }
    return consents;
  }

  /** A new person's rows, in the template's transaction: the person, their key, their grants to the party. */
  private async writePerson(tx: Tx, ctx: CallContext, input: NewEnrolment, person: NewPerson): Promise<void> {
    const { id, at } = person;
    await this.repos.persons.insert(tx, {
      id,
      segment_id: input.segment,
      status: 'active',
      enrolled_by: ctx.principal.id,
      created_at: at,
      deleted_at: null,
      birth_date: input.birthDate ?? null,
    });
    await this.personKeys.insert(tx, person.key.row);
    if (person.contact) await this.contacts!.store(person.contact, tx);
    await this.repos.consent.insertGrants(
      tx,
      person.consents.map((purpose) => ({
        id: this.ids.next('cns'),
        person_id: id,
        relying_party_id: ctx.principal.id,
        purpose,
        scope: 'segment' as const,
        source: 'enrolment' as const,
        granted_by: ctx.principal.id,
        granted_at: at,
        expires_at: null,
        revoked_at: null,
        revoked_by: null,
      })),
    );
    if (input.provenance) {
      const { reference, capturedAt, evidence } = input.provenance;
      await this.repos.provenance.insert(tx, {
        person_id: id,
        source_party: ctx.principal.id,
        reference,
        captured_at: capturedAt,
        received_at: at,
        evidence: JSON.stringify(evidence),
      });
    }
    // Thrown, not returned: a raced second use must roll back the person written above.
    if (person.adjudicationId && !(await this.repos.adjudications.markEnrolled(tx, person.adjudicationId, id))) {
      throw notCleared(person.adjudicationId);
    }
  }

  /**
   * A template captured elsewhere: only from this engine's model pack (another pack's vectors live in an
   * unrelated space). No image means no quality or liveness measure, so a party that must prove liveness
   * cannot hand templates over.
   */
  private handedOver(ctx: CallContext, t: HandedTemplate): FaceTemplate {
    const pack = this.engine.modelPack;
    if (t.modelPack !== pack.tag || t.vector.length !== pack.embeddingDim) {
      throw new AppError('template.model_mismatch', `templates must come from ${pack.tag}`, {
        expected: pack.tag,
        got: t.modelPack,
      });
    }
    const norm = Math.hypot(...t.vector);
    if (!Number.isFinite(norm) || norm === 0) {
      throw new AppError('request.invalid', 'the template vector is not a usable embedding');
    }
    if (captureRequirements('enrolment', ctx.principal, this.settings).requireLiveness) {
      throw new AppError('face.spoof_suspected', 'a handed-over template carries no liveness evidence');
    }
    // Stored L2-normalised, as the engine's own templates are.
    const vector = t.vector.map((v) => v / norm);
    return { modelPack: t.modelPack, vector, quality: { score: 0, measures: {} }, liveness: 0 };
  }

  /** The capture, after authorisation: its refusal is audited (see {@link AccessService.afterAuthorisation}). */
  private async capture(ctx: CallContext, image: Uint8Array, at: RefusalContext): Promise<FaceTemplate> {
    const capture: Capture = await this.access.afterAuthorisation(ctx, at, () =>
      this.engine.capture(image, captureRequirements('enrolment', ctx.principal, this.settings)),
    );
    const { modelPack, vector } = capture.template;
    const { score, measures } = capture.face.quality;
    return { modelPack, vector, quality: { score, measures: { ...measures } }, liveness: capture.face.liveness };
  }
}
