import type { FaceEngine } from '../../biometrics/face-engine.js';
import { AppError } from '../../errors/app-error.js';
import type { PersonRow } from '../../repositories.js';
import type { AuditFact, AuditService } from '../audit/audit.service.js';
import { reportedMeasure, reportedScore } from '../matching/reported-figures.js';
import type { TemplateGalleries } from '../templates/galleries.js';
import type { MatcherSync } from '../templates/matcher-sync.js';
import { citizenContext } from './citizen-principal.js';

/** The outcome of a citizen's face against their own templates, with the audit fact that records it. */
export interface FaceCheck {
  readonly match: boolean;
  readonly fact: AuditFact;
}

/**
 * A citizen's own face, live, checked 1:1 against their templates: the first factor of a sign-in, and the step-up
 * of a session opened by a code. A refused capture of a known person is recorded in their history at once; the
 * caller records the comparison with its effect.
 */
export class CitizenFaceCheck {
  constructor(
    private readonly face: { engine: Pick<FaceEngine, 'capture'>; galleries: TemplateGalleries; sync: MatcherSync },
    private readonly audit: AuditService,
    private readonly matchThreshold: number,
  ) {}

  /** Checks `image` against `person` (undefined: an unknown id, which costs the same capture and fails alike). */
  async check(requestId: string, citizenId: string, person: PersonRow | undefined, image: Uint8Array) {
    const ctx = citizenContext(citizenId, requestId);
    const base = { action: 'citizen.sign_in' as const, segmentId: person?.segment_id, personId: citizenId };
    const capture = await this.face.engine
      .capture(image, { enforceQuality: false, requireLiveness: true })
      .catch(async (e: unknown) => {
        if (person && e instanceof AppError)
          await this.audit.recordAlone(ctx, { ...base, result: `refused:${e.code}` });
        throw e;
      });
    if (!person) return undefined;
    await this.face.sync.catchUp();
    const { modelPack, vector } = capture.template;
    const best = await this.face.galleries.verify(person.id, person.segment_id, modelPack, vector);
    const match = best !== undefined && best.score >= this.matchThreshold;
    const fact: AuditFact = {
      ...base,
      result: match ? 'match' : 'no_match',
      templateId: best?.templateId,
      score: best ? reportedScore(best.score) : 0,
      detail: { factor: 'face', liveness: reportedMeasure(capture.face.liveness) },
    };
    if (!match) await this.audit.recordAlone(ctx, fact);
    return { match, fact } satisfies FaceCheck;
  }
}
