import type { Kysely } from 'kysely';
import type { Capture, FaceEngine } from '../../biometrics/face-engine.js';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../errors/app-error.js';
import type { Matcher } from '../../matcher/matcher.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { AccessService } from '../access/access.service.js';
import { captureRequirements } from '../access/capture-requirements.js';
import type { CallContext } from '../access/principal.js';
import type { Purpose } from '../access/purposes.js';
import { adjudicationsRepository } from '../adjudications/adjudications.repository.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { personsRepository } from '../persons/persons.repository.js';
import { segmentsRepository } from '../segments/segments.repository.js';
import type { TemplateVault } from '../templates/template-vault.js';
import type { MatcherSync } from '../templates/matcher-sync.js';
import { templateEventsRepository } from '../templates/template-events.repository.js';
import { templatesRepository } from '../templates/templates.repository.js';
import { KeyedMutex } from './keyed-mutex.js';

export interface EnrolmentResult {
  readonly personId: string;
  readonly templateId: string;
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
    private readonly sync: MatcherSync,
    private readonly vault: TemplateVault,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly settings: EnrolmentSettings,
    private readonly probe: StepProbe = () => undefined,
  ) {}

  async enrol(
    ctx: CallContext,
    input: {
      segment: string;
      channel: string;
      image: Uint8Array;
      consents: readonly Purpose[];
      /** A case the operator resolved as `different_people`: its look-alike no longer blocks this face. */
      adjudicationId?: string | undefined;
    },
  ): Promise<EnrolmentResult> {
    if (!(await segmentsRepository.find(this.db, input.segment))) {
      throw new AppError('segment.not_found', `no segment ${input.segment}`, { segment: input.segment });
    }
    await this.access.authoriseEnrolment(ctx, input.segment);
    const cleared = input.adjudicationId ? await this.clearedCase(ctx, input.adjudicationId, input.segment) : undefined;
    const replayed = await this.idempotency.replay<EnrolmentResult>(ctx);
    if (replayed) return replayed;
    const capture = await this.engine.capture(
      input.image,
      captureRequirements('enrolment', ctx.principal, this.settings),
    );
    const personId = this.ids.next('psn');
    const templateId = this.ids.next('tpl');
    return this.sections.run(input.segment, async () => {
      await this.sync.catchUp();
      const duplicate = this.findDuplicate(input.segment, capture, cleared?.candidate_person_id);
      const at = isoNow(this.clock);
      const binding = { id: templateId, personId, segmentId: input.segment, modelPack: capture.template.modelPack };
      const sealed = await this.vault.seal(binding, capture.template.vector);
      const result = toResult(personId, templateId, capture, this.settings.livenessThreshold);
      const outcome = await this.idempotency.commit(ctx, 201, async (tx) => {
        if (duplicate) return this.refuseDuplicate(tx, ctx, input.segment, input.channel, duplicate, 'enrolment');
        await personsRepository.insert(tx, {
          id: personId,
          segment_id: input.segment,
          status: 'active',
          enrolled_by: ctx.principal.id,
          created_at: at,
          deleted_at: null,
        });
        await personsRepository.insertConsents(
          tx,
          [...new Set(input.consents)].map((purpose) => ({
            person_id: personId,
            purpose,
            source: 'enrolment',
            granted_at: at,
          })),
        );
        this.probe('person_written');
        await this.insertTemplate(tx, ctx, binding, sealed, capture, input.channel, at);
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
            consents: [...new Set(input.consents)],
            modelPack: binding.modelPack,
            ...(cleared ? { adjudicationId: cleared.id } : {}),
          },
        });
        return result;
      });
      if (outcome.fresh) this.indexCommitted(binding, capture);
      return outcome.value;
    });
  }

  /** Re-enrolment: a further template for an existing person, whose face must match the person's own. */
  async addTemplate(
    ctx: CallContext,
    personId: string,
    input: { channel: string; image: Uint8Array },
  ): Promise<EnrolmentResult> {
    const person = await this.access.authoriseReEnrolment(ctx, personId);
    const replayed = await this.idempotency.replay<EnrolmentResult>(ctx);
    if (replayed) return replayed;
    const capture = await this.engine.capture(
      input.image,
      captureRequirements('enrolment', ctx.principal, this.settings),
    );
    const templateId = this.ids.next('tpl');
    const segment = person.segment_id;
    return this.sections.run(segment, async () => {
      await this.sync.catchUp();
      const own = this.matcher.verify(personId, segment, capture.template.modelPack, capture.template.vector);
      if (own && own.score < this.settings.matchThreshold) {
        throw new AppError('enrolment.face_mismatch', "the face does not match the person's enrolled face", {
          score: own.score,
          threshold: this.settings.matchThreshold,
        });
      }
      const duplicate = this.findDuplicate(segment, capture, personId);
      const binding = { id: templateId, personId, segmentId: segment, modelPack: capture.template.modelPack };
      const sealed = await this.vault.seal(binding, capture.template.vector);
      const at = isoNow(this.clock);
      const outcome = await this.idempotency.commit(ctx, 201, async (tx) => {
        if (duplicate) return this.refuseDuplicate(tx, ctx, segment, input.channel, duplicate, 'template.add');
        this.probe('person_written');
        await this.insertTemplate(tx, ctx, binding, sealed, capture, input.channel, at);
        await this.audit.record(tx, ctx, {
          action: 'template.add',
          result: 'enrolled',
          segmentId: segment,
          personId,
          templateId,
          detail: { channel: input.channel, modelPack: binding.modelPack },
        });
        return toResult(personId, templateId, capture, this.settings.livenessThreshold);
      });
      if (outcome.fresh) this.indexCommitted(binding, capture);
      return outcome.value;
    });
  }

  /** The best match in the segment above the duplicate threshold, other than `exempt` (the person themself). */
  private findDuplicate(segment: string, capture: Capture, exempt: string | undefined) {
    const hits = this.matcher.identify([segment], capture.template.modelPack, capture.template.vector, {
      k: 1,
      minScore: this.settings.dedupThreshold(this.matcher.size(segment)),
      ...(exempt ? { accept: (owner: string) => owner !== exempt } : {}),
    });
    return hits[0];
  }

  /** A case this party opened, in this segment, resolved as different people and not yet used. */
  private async clearedCase(ctx: CallContext, id: string, segment: string) {
    const row = await adjudicationsRepository.find(this.db, id);
    if (!row || row.requested_by !== ctx.principal.id || row.segment_id !== segment) {
      throw new AppError('adjudication.not_found', `no adjudication ${id} of yours in ${segment}`, { id });
    }
    if (row.status !== 'different_people' || row.enrolled_person_id !== null) throw notCleared(id);
    return row;
  }

  private async refuseDuplicate(
    tx: Kysely<Database>,
    ctx: CallContext,
    segment: string,
    channel: string,
    hit: { owner: string; score: number },
    action: 'enrolment' | 'template.add',
  ): Promise<AppError> {
    const adjudicationId = this.ids.next('adj');
    await adjudicationsRepository.insert(tx, {
      id: adjudicationId,
      segment_id: segment,
      candidate_person_id: hit.owner,
      score: hit.score,
      channel,
      requested_by: ctx.principal.id,
      status: 'open',
      note: null,
      created_at: isoNow(this.clock),
      resolved_by: null,
      resolved_at: null,
      enrolled_person_id: null,
    });
    await this.audit.record(tx, ctx, {
      action,
      result: 'refused:enrolment.duplicate',
      segmentId: segment,
      personId: hit.owner,
      score: hit.score,
      detail: { adjudicationId, channel },
    });
    // The enrolling party learns only that an adjudication is open, never who the face belongs to.
    return new AppError('enrolment.duplicate', 'this face is already enrolled; the case goes to adjudication', {
      adjudicationId,
    });
  }

  private async insertTemplate(
    tx: Kysely<Database>,
    ctx: CallContext,
    binding: { id: string; personId: string; segmentId: string; modelPack: string },
    sealed: { keyVersion: number; sealed: Buffer },
    capture: Capture,
    channel: string,
    at: string,
  ): Promise<void> {
    await templatesRepository.insert(tx, {
      id: binding.id,
      person_id: binding.personId,
      segment_id: binding.segmentId,
      model_pack: binding.modelPack,
      key_version: sealed.keyVersion,
      sealed_vector: sealed.sealed,
      channel,
      enrolled_by: ctx.principal.id,
      quality: JSON.stringify({ score: capture.face.quality.score, ...capture.face.quality.measures }),
      liveness: capture.face.liveness,
      created_at: at,
    });
    await templateEventsRepository.append(tx, [
      { kind: 'added', template_id: binding.id, person_id: binding.personId, segment_id: binding.segmentId, at },
    ]);
    this.probe('template_written');
  }

  private indexCommitted(
    binding: { id: string; personId: string; segmentId: string; modelPack: string },
    capture: Capture,
  ) {
    this.probe('committed');
    // Another request's catch-up may have indexed it from the change feed already.
    if (this.matcher.has(binding.id)) return;
    this.matcher.add({
      templateId: binding.id,
      personId: binding.personId,
      segment: binding.segmentId,
      modelPack: binding.modelPack,
      vector: capture.template.vector,
    });
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

function notCleared(id: string): AppError {
  return new AppError(
    'adjudication.not_cleared',
    'the case is not resolved as different people, or was already used for an enrolment',
    { adjudicationId: id },
  );
}
