import type { Kysely } from 'kysely';
import type { Capture, FaceEngine } from '../../biometrics/face-engine.js';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../errors/app-error.js';
import type { IndexedTemplate, Matcher } from '../../matcher/matcher.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { AccessService } from '../access/access.service.js';
import { captureRequirements } from '../access/capture-requirements.js';
import type { CallContext } from '../access/principal.js';
import type { Purpose } from '../access/purposes.js';
import { adjudicationsRepository } from '../adjudications/adjudications.repository.js';
import { notCleared, type DuplicateCases } from './duplicate-cases.js';
import type { AuditService } from '../audit/audit.service.js';
import { mayGrant } from '../consent/consent-policy.js';
import { grantRefused } from '../consent/grant-refused.js';
import { consentRepository } from '../consent/consent.repository.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { personsRepository } from '../persons/persons.repository.js';
import { ageRulesOf, segmentsRepository } from '../segments/segments.repository.js';
import type { TemplateGalleries } from '../templates/galleries.js';
import type { PersonKeys } from '../templates/person-keys.js';
import { TransformRetired, type SealedTemplate, type TemplateVault } from '../templates/template-vault.js';
import type { Pseudonyms } from '../pseudonyms/pseudonyms.js';
import type { MatcherSync } from '../templates/matcher-sync.js';
import { templateEventsRepository } from '../templates/template-events.repository.js';
import { templatesRepository } from '../templates/templates.repository.js';
import { KeyedMutex } from './keyed-mutex.js';

/** The citizen's enrolment slip: the only place a relying party handles the citizen's own id, to hand it over. */
export interface EnrolmentReceipt {
  readonly citizenId: string;
  readonly segment: string;
  readonly enrolledAt: string;
  readonly enrolledBy: string;
  readonly consents: string[];
}

export interface EnrolmentResult {
  /** The enrolling party's pseudonym for the person. */
  readonly personId: string;
  readonly templateId: string;
  readonly receipt?: EnrolmentReceipt;
  readonly quality: { readonly score: number; readonly measures: Record<string, number> };
  readonly liveness: { readonly score: number; readonly threshold: number };
}

export interface EnrolmentSettings {
  /** The duplicate threshold for a segment holding this many templates. */
  readonly dedupThreshold: (galleryTemplates: number) => number;
  readonly matchThreshold: number;
  readonly livenessThreshold: number;
  readonly requireLiveness: boolean;
}

/** Observes the steps of an enrolment's transaction; the crash-safety test kills the process at one. */
export type StepProbe = (step: 'person_written' | 'template_written' | 'committed') => void;

/**
 * Enrolment: capture (quality and liveness enforced), a 1:N duplicate search in the segment, then person,
 * consents, sealed template, audit record and idempotency record in one transaction, and only after the
 * commit the matcher. A crash at any point leaves either everything or nothing; the matcher is rebuilt from
 * the store at start-up.
 */
export class EnrolmentService {
  private readonly sections = new KeyedMutex();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Pick<FaceEngine, 'capture'>,
    private readonly matcher: Matcher,
    private readonly galleries: TemplateGalleries,
    private readonly sync: MatcherSync,
    private readonly vault: TemplateVault,
    private readonly personKeys: PersonKeys,
    private readonly pseudonyms: Pseudonyms,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly cases: DuplicateCases,
    private readonly settings: EnrolmentSettings,
    private readonly probe: StepProbe = () => undefined,
  ) {}

  async enrol(
    ctx: CallContext,
    input: {
      segment: string;
      channel: string;
      image: Uint8Array;
      /** Purposes the person agrees to for the enrolling party (a minor's come from a guardian, later). */
      consents: readonly Purpose[];
      birthDate?: string | undefined;
      /** A case the operator resolved as `different_people`: its look-alike no longer blocks this face. */
      adjudicationId?: string | undefined;
    },
  ): Promise<EnrolmentResult> {
    const segment = await segmentsRepository.find(this.db, input.segment);
    if (!segment) throw new AppError('segment.not_found', `no segment ${input.segment}`, { segment: input.segment });
    await this.access.authoriseEnrolment(ctx, input.segment);
    const consents = [...new Set(input.consents)];
    const rules = ageRulesOf(segment);
    for (const purpose of consents) {
      const verdict = mayGrant(
        'enrolling_party',
        { birthDate: input.birthDate ?? null, rules },
        purpose,
        isoNow(this.clock),
      );
      if (!verdict.allowed) throw grantRefused(verdict.reason, purpose);
    }
    const cleared = input.adjudicationId
      ? await this.cases.cleared(ctx, input.adjudicationId, input.segment)
      : undefined;
    const replayed = await this.idempotency.replay<EnrolmentResult>(ctx);
    if (replayed) return replayed;
    const capture = await this.engine.capture(
      input.image,
      captureRequirements('enrolment', ctx.principal, this.settings),
    );
    const personId = this.ids.next('psn');
    const templateId = this.ids.next('tpl');
    const personKey = await this.personKeys.mint(personId, input.segment);
    return this.sections.run(input.segment, () =>
      retryOnRetiredTransform(async () => {
        await this.sync.catchUp();
        const duplicate = await this.findDuplicate(input.segment, capture, cleared?.candidate_person_id);
        const at = isoNow(this.clock);
        const binding = {
          id: templateId,
          personId,
          segmentId: input.segment,
          modelPack: capture.template.modelPack,
          view: viewOf(ctx),
        };
        const sealed = await this.vault.seal(binding, capture.template.vector, personKey.key);
        const outcome = await this.idempotency.commit(ctx, 201, async (tx) => {
          if (duplicate) return this.cases.refuse(tx, ctx, input.segment, input.channel, duplicate, 'enrolment');
          await this.vault.guard(tx, sealed);
          await personsRepository.insert(tx, {
            id: personId,
            segment_id: input.segment,
            status: 'active',
            enrolled_by: ctx.principal.id,
            created_at: at,
            deleted_at: null,
            birth_date: input.birthDate ?? null,
          });
          await this.personKeys.insert(tx, personKey.row);
          await consentRepository.insertGrants(
            tx,
            consents.map((purpose) => ({
              id: this.ids.next('cns'),
              person_id: personId,
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
          this.probe('person_written');
          await this.insertTemplate(tx, ctx, sealed, capture, input.channel, at);
          // Thrown, not returned: a raced second use must roll back the person written above.
          if (cleared && !(await adjudicationsRepository.markEnrolled(tx, cleared.id, personId))) {
            throw notCleared(cleared.id);
          }
          await this.audit.record(tx, ctx, {
            action: 'enrolment',
            result: 'enrolled',
            segmentId: input.segment,
            personId,
            templateId,
            detail: {
              channel: input.channel,
              consents,
              modelPack: binding.modelPack,
              ...(cleared ? { adjudicationId: cleared.id } : {}),
            },
          });
          const pseudonym = (await this.pseudonyms.issue(tx, ctx.principal.id, [personId])).get(personId)!;
          return {
            ...toResult(pseudonym, templateId, capture, this.settings.livenessThreshold),
            receipt: {
              citizenId: personId,
              segment: input.segment,
              enrolledAt: at,
              enrolledBy: ctx.principal.id,
              consents,
            },
          };
        });
        if (outcome.fresh) this.indexCommitted(sealed.indexed);
        return outcome.value;
      }),
    );
  }

  /** Re-enrolment: a further template for an existing person, whose face must match the person's own. */
  async addTemplate(
    ctx: CallContext,
    pseudonym: string,
    input: { channel: string; image: Uint8Array },
  ): Promise<EnrolmentResult> {
    const person = await this.access.authoriseReEnrolment(ctx, pseudonym);
    const replayed = await this.idempotency.replay<EnrolmentResult>(ctx);
    if (replayed) return replayed;
    const capture = await this.engine.capture(
      input.image,
      captureRequirements('enrolment', ctx.principal, this.settings),
    );
    const templateId = this.ids.next('tpl');
    const segment = person.segment_id;
    const personId = person.id;
    return this.sections.run(segment, () =>
      retryOnRetiredTransform(async () => {
        await this.sync.catchUp();
        const own = await this.galleries.verify(personId, segment, capture.template.modelPack, capture.template.vector);
        if (own && own.score < this.settings.matchThreshold) {
          throw new AppError('enrolment.face_mismatch', "the face does not match the person's enrolled face", {
            score: own.score,
            threshold: this.settings.matchThreshold,
          });
        }
        const duplicate = await this.findDuplicate(segment, capture, personId);
        const personKey = await this.personKeys.of(personId);
        if (!personKey) throw new AppError('person.not_found', `no person ${pseudonym}`, { personId: pseudonym });
        const binding = {
          id: templateId,
          personId,
          segmentId: segment,
          modelPack: capture.template.modelPack,
          view: viewOf(ctx),
        };
        const sealed = await this.vault.seal(binding, capture.template.vector, personKey);
        const at = isoNow(this.clock);
        const outcome = await this.idempotency.commit(ctx, 201, async (tx) => {
          if (duplicate) return this.cases.refuse(tx, ctx, segment, input.channel, duplicate, 'template.add');
          await this.vault.guard(tx, sealed);
          this.probe('person_written');
          await this.insertTemplate(tx, ctx, sealed, capture, input.channel, at);
          await this.audit.record(tx, ctx, {
            action: 'template.add',
            result: 'enrolled',
            segmentId: segment,
            personId,
            templateId,
            detail: { channel: input.channel, modelPack: binding.modelPack },
          });
          return toResult(pseudonym, templateId, capture, this.settings.livenessThreshold);
        });
        if (outcome.fresh) this.indexCommitted(sealed.indexed);
        return outcome.value;
      }),
    );
  }

  /** The best match in the segment above the duplicate threshold, other than `exempt` (the person themself). */
  private async findDuplicate(segment: string, capture: Capture, exempt: string | undefined) {
    const hits = await this.galleries.identify([segment], capture.template.modelPack, capture.template.vector, {
      k: 1,
      minScore: this.settings.dedupThreshold(this.galleries.size([segment])),
      ...(exempt ? { accept: (owner: string) => owner !== exempt } : {}),
    });
    return hits[0];
  }

  private async insertTemplate(
    tx: Kysely<Database>,
    ctx: CallContext,
    sealed: SealedTemplate,
    capture: Capture,
    channel: string,
    at: string,
  ): Promise<void> {
    const { templateId: id, personId, modelPack } = sealed.indexed;
    const { segmentId } = sealed;
    await templatesRepository.insert(tx, {
      id,
      person_id: personId,
      segment_id: segmentId,
      model_pack: modelPack,
      key_version: 0,
      transform_version: sealed.transformVersion,
      transform_view: sealed.view,
      sealed_vector: sealed.sealed,
      channel,
      enrolled_by: ctx.principal.id,
      quality: JSON.stringify({ score: capture.face.quality.score, ...capture.face.quality.measures }),
      liveness: capture.face.liveness,
      created_at: at,
    });
    await templateEventsRepository.append(tx, [
      { kind: 'added', template_id: id, person_id: personId, segment_id: segmentId, at },
    ]);
    this.probe('template_written');
  }

  private indexCommitted(template: IndexedTemplate) {
    this.probe('committed');
    // Another request's catch-up may have indexed it from the change feed already.
    if (!this.matcher.has(template.templateId)) this.matcher.add(template);
  }
}

/** The template view an enrolment goes to: the party's own, if it keeps one, else the segment's. */
function viewOf(ctx: CallContext): string {
  return ctx.principal.ownTemplateView ? ctx.principal.id : '';
}

/** Seals again (once) when a re-key retired the transform between sealing and committing. */
async function retryOnRetiredTransform<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (e) {
    if (e instanceof TransformRetired) return attempt();
    throw e;
  }
}

function toResult(personId: string, templateId: string, capture: Capture, livenessThreshold: number): EnrolmentResult {
  const { quality, liveness } = capture.face;
  return {
    personId,
    templateId,
    quality: { score: round(quality.score), measures: roundAll(quality.measures) },
    liveness: { score: round(liveness), threshold: livenessThreshold },
  };
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
const roundAll = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v as number)]));
