import type { Tx } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CallContext } from '../access/principal.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { reportedMeasure } from '../matching/reported-figures.js';
import type { Pseudonyms } from '../pseudonyms/pseudonyms.js';
import type { TemplateGalleries } from '../templates/galleries.js';
import type { PersonKeys } from '../templates/person-keys.js';
import { TransformRetired, type TemplateVault } from '../templates/template-vault.js';
import type { DuplicateCases } from './duplicate-cases.js';
import type { SegmentSections } from './segment-sections.js';

/** A face's template as captured (or, later, as handed over by a bank): what is sealed, and what was measured. */
export interface FaceTemplate {
  readonly modelPack: string;
  readonly vector: Float32Array;
  readonly quality: { readonly score: number; readonly measures: Readonly<Record<string, number>> };
  readonly liveness: number;
}

/** The citizen's enrolment slip: the only place a relying party handles the citizen's own id, to hand it over. */
export interface EnrolmentReceipt {
  readonly citizenId: string;
  readonly segment: string;
  readonly enrolledAt: string;
  readonly enrolledBy: string;
  readonly consents: string[];
  /**
   * Where the citizen's first sign-in code will go (the contact they gave at enrolment), masked so the citizen
   * can recognise it and nobody else learns it; null when none was given. The receipt holds no secret.
   */
  readonly activationContact: string | null;
}

export interface EnrolmentResult {
  /** The enrolling party's pseudonym for the person. */
  readonly personId: string;
  readonly templateId: string;
  readonly receipt?: EnrolmentReceipt;
  readonly quality: { readonly score: number; readonly measures: Record<string, number> };
  readonly liveness: { readonly score: number; readonly threshold: number };
}

/** One template to commit for a person, new or enrolled. */
export interface TemplateCommit {
  readonly ctx: CallContext;
  readonly action: 'enrolment' | 'template.add';
  readonly segmentId: string;
  readonly personId: string;
  readonly templateId: string;
  readonly template: FaceTemplate;
  readonly channel: string;
  readonly at: string;
  /** The name the calling party knows an enrolled person by; a new person's is issued in the commit. */
  readonly pseudonym?: string;
  /** A new person's own key, minted with them; an enrolled person's is read in the segment's section. */
  readonly personKey?: Buffer;
  /** Re-enrolment: the face must first match the person's own templates. */
  readonly matchOwn?: boolean;
  /** A person whose templates do not count as duplicates (the person themself, or a cleared look-alike). */
  readonly exempt?: string;
  /** More for the audit record's detail. */
  readonly detail?: Record<string, unknown>;
  /** A new person's rows (person, key, consents), written before the template in the same transaction. */
  readonly writePerson?: (tx: Tx) => Promise<void>;
}

export interface TemplateCommitSettings {
  /** The duplicate threshold for a segment holding this many templates. */
  readonly dedupThreshold: (galleryTemplates: number) => number;
  readonly matchThreshold: number;
  readonly livenessThreshold: number;
}

/** Observes the steps of a commit's transaction; the crash-safety test kills the process at one. */
export type StepProbe = (step: 'person_written' | 'template_written' | 'committed') => void;

/**
 * The one path by which a template enters the registry, for a new person (enrolment, a bank's transfer, a
 * telecom contract) or an enrolled one (re-enrolment). In the segment's section ({@link SegmentSections}: in
 * process, and on PostgreSQL across instances), so two commits of one face cannot both pass the duplicate
 * search: the duplicate search (a duplicate opens an adjudication instead), the seal under the segment's
 * transform and the person's key, then one transaction that (on PostgreSQL) takes the segment's lock, catches
 * up with other instances and searches again, and writes the person's rows, the template, its change event, the audit record, the pseudonym, the
 * caller's answer and the idempotency record; only after the commit, the matcher. A re-key that retires the
 * transform mid-way seals again once. A crash at any point leaves everything or nothing; the matcher is
 * rebuilt from the store at start-up.
 */
export class TemplateCommits {
  constructor(
    private readonly gallery: {
      readonly galleries: Pick<TemplateGalleries, 'verify' | 'identify' | 'size' | 'index'>;
      readonly sections: Pick<SegmentSections, 'run' | 'enter'>;
    },
    private readonly vault: Pick<TemplateVault, 'seal' | 'guard' | 'store'>,
    private readonly personKeys: Pick<PersonKeys, 'of'>,
    private readonly idempotency: Pick<IdempotencyService, 'replay' | 'commit'>,
    private readonly cases: Pick<DuplicateCases, 'cleared' | 'refuse'>,
    private readonly record: {
      readonly audit: Pick<AuditService, 'record'>;
      readonly pseudonyms: Pick<Pseudonyms, 'issue'>;
    },
    private readonly settings: TemplateCommitSettings,
    private readonly probe: StepProbe = () => undefined,
  ) {}

  /** The stored answer to an earlier commit with the request's `Idempotency-Key`, if any. */
  replay<T>(ctx: CallContext): Promise<T | undefined> {
    return this.idempotency.replay<T>(ctx);
  }

  /** A look-alike case this party opened in this segment and the operator cleared (see {@link DuplicateCases}). */
  cleared(ctx: CallContext, adjudicationId: string, segmentId: string) {
    return this.cases.cleared(ctx, adjudicationId, segmentId);
  }

  /**
   * Commits the template; `answer` runs last in the transaction with the result as the caller's party sees it,
   * and its value is what the call returns (and what a replay returns).
   */
  commit<T>(c: TemplateCommit, answer: (tx: Tx, result: EnrolmentResult) => Promise<T>): Promise<T> {
    return this.gallery.sections.run(c.segmentId, () => retryOnRetiredTransform(() => this.attempt(c, answer)));
  }

  private async attempt<T>(c: TemplateCommit, answer: (tx: Tx, result: EnrolmentResult) => Promise<T>) {
    const { ctx, template } = c;
    if (c.matchOwn) await this.checkOwnFace(c);
    let duplicate = await this.findDuplicate(c);
    const personKey = c.personKey ?? (await this.personKeys.of(c.personId));
    const named = c.pseudonym ?? c.personId;
    if (!personKey) throw new AppError('person.not_found', `no person ${named}`, { personId: named });
    const binding = {
      id: c.templateId,
      personId: c.personId,
      segmentId: c.segmentId,
      modelPack: template.modelPack,
      // The party's own template view, if it keeps one; else the segment's.
      view: ctx.principal.ownTemplateView ? ctx.principal.id : '',
    };
    const sealed = await this.vault.seal(binding, template.vector, personKey);
    const outcome = await this.idempotency.commit(ctx, 201, async (tx) => {
      // Under the segment's lock across instances, caught up with them, the search sees every commit.
      if (!duplicate && (await this.gallery.sections.enter(tx, c.segmentId))) duplicate = await this.findDuplicate(c);
      if (duplicate) return this.cases.refuse(tx, ctx, c.segmentId, c.channel, duplicate, c.action);
      await this.vault.guard(tx, sealed);
      if (c.writePerson) {
        await c.writePerson(tx);
        this.probe('person_written');
      }
      const { quality, liveness } = template;
      await this.vault.store(tx, sealed, {
        channel: c.channel,
        enrolledBy: ctx.principal.id,
        quality,
        liveness,
        at: c.at,
      });
      this.probe('template_written');
      await this.record.audit.record(tx, ctx, {
        action: c.action,
        result: 'enrolled',
        segmentId: c.segmentId,
        personId: c.personId,
        templateId: c.templateId,
        detail: { channel: c.channel, ...c.detail, modelPack: template.modelPack },
      });
      const pseudonym =
        c.pseudonym ?? (await this.record.pseudonyms.issue(tx, ctx.principal.id, [c.personId])).get(c.personId)!;
      return answer(tx, this.result(pseudonym, c));
    });
    if (outcome.fresh) {
      this.probe('committed');
      this.gallery.galleries.index(sealed.indexed);
    }
    return outcome.value;
  }

  private async checkOwnFace(c: TemplateCommit): Promise<void> {
    const { modelPack, vector } = c.template;
    const own = await this.gallery.galleries.verify(c.personId, c.segmentId, modelPack, vector);
    if (own && own.score < this.settings.matchThreshold) {
      // No score, no threshold: a re-enrolment must not work as a 1:1 comparison outside consent.
      throw new AppError('enrolment.face_mismatch', "the face does not match the person's enrolled face");
    }
  }

  /** The best match in the segment above the duplicate threshold, other than the exempt person. */
  private async findDuplicate(c: TemplateCommit) {
    const { galleries } = this.gallery;
    const exempt = c.exempt;
    const hits = await galleries.identify([c.segmentId], c.template.modelPack, c.template.vector, {
      k: 1,
      minScore: this.settings.dedupThreshold(galleries.size([c.segmentId])),
      ...(exempt ? { accept: (owner: string) => owner !== exempt } : {}),
    });
    return hits[0];
  }

  private result(pseudonym: string, c: TemplateCommit): EnrolmentResult {
    const { quality, liveness } = c.template;
    const measures = Object.fromEntries(Object.entries(quality.measures).map(([k, v]) => [k, reportedMeasure(v)]));
    return {
      personId: pseudonym,
      templateId: c.templateId,
      quality: { score: reportedMeasure(quality.score), measures },
      liveness: { score: reportedMeasure(liveness), threshold: this.settings.livenessThreshold },
    };
  }
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
