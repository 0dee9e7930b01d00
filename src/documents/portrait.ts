import type { Comparison, FaceEngine } from '../biometrics/face-engine.js';
import type { QualityAssessment } from '../biometrics/quality.js';
import type { Template } from '../biometrics/template.js';
import { AppError } from '../errors/app-error.js';

/**
 * The portrait printed on an identity document, found with the face engine and compared 1:1 with a live
 * face. It goes through the engine's own capture with two of its options changed, not through a second path:
 * - liveness is not required: the portrait is a print by definition, and the liveness network would (rightly)
 *   call it one; the live face's liveness is the caller's concern, checked when that face was captured;
 * - the quality gate does not refuse: a printed portrait is small, flat and screened, and the score against
 *   the live face is what decides. Its quality assessment is returned for the record.
 * The decision uses the engine's 1:1 threshold (`OBLIK_MATCH_THRESHOLD`).
 */
export interface PortraitComparison extends Comparison {
  readonly quality: QualityAssessment;
}

export class PortraitMatcher {
  constructor(private readonly engine: FaceEngine) {}

  /** The portrait's template; `document.portrait_not_found` when the image holds no face. */
  async portrait(documentImage: Uint8Array): Promise<{ template: Template; quality: QualityAssessment }> {
    try {
      const capture = await this.engine.capture(documentImage, { requireLiveness: false, enforceQuality: false });
      return { template: capture.template, quality: capture.face.quality };
    } catch (e) {
      if (e instanceof AppError && e.code === 'face.not_found') {
        throw new AppError('document.portrait_not_found', 'no portrait was found on the document image');
      }
      throw e;
    }
  }

  /**
   * Compares the document's portrait with a live face's template (captured by the caller, liveness included).
   * @example const { score, match } = await portraits.compare(documentImage, liveCapture.template);
   */
  async compare(documentImage: Uint8Array, live: Template): Promise<PortraitComparison> {
    const { template, quality } = await this.portrait(documentImage);
    return { ...this.engine.compare(template, live), quality };
  }
}
