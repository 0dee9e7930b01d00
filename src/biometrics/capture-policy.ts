import { AppError } from '../errors/app-error.js';
import type { AnalysedFace, ImageAnalysis } from './pipeline.js';

/**
 * When a single-face capture (enrolment, verification, identification probe) is refused, and with which
 * code. Pure: it only reads an analysis.
 */
export interface CapturePolicy {
  /** Refuse faces that fail the quality gate (`face.low_quality`). */
  readonly enforceQuality: boolean;
  /** Refuse faces whose liveness is below `livenessThreshold` (`face.spoof_suspected`). */
  readonly requireLiveness: boolean;
  readonly livenessThreshold: number;
  /**
   * The least surroundings (multiple of the face box) on which a liveness score is trusted. A tighter crop
   * cannot show the edges of a print or screen, so a required liveness check refuses it.
   */
  readonly minLivenessContext: number;
}

export function checkCapture(analysis: ImageAnalysis, policy: CapturePolicy): AnalysedFace {
  const face = analysis.faces[0];
  if (!face) throw new AppError('face.not_found', 'no face was found in the image');
  if (analysis.rivalCount > 0) {
    throw new AppError('face.multiple', 'more than one face of comparable size is in the image', {
      faces: analysis.rivalCount + 1,
    });
  }
  if (policy.enforceQuality && !face.quality.acceptable) {
    throw new AppError('face.low_quality', `the face image is of low quality: ${face.quality.reasons.join(', ')}`, {
      reasons: face.quality.reasons,
      score: face.quality.score,
      measures: face.quality.measures,
    });
  }
  if (policy.requireLiveness && face.livenessContext < policy.minLivenessContext) {
    throw new AppError('face.spoof_suspected', 'the image is cropped too tightly around the face to check liveness', {
      reason: 'insufficient_context',
      context: face.livenessContext,
      minContext: policy.minLivenessContext,
    });
  }
  if (policy.requireLiveness && face.liveness < policy.livenessThreshold) {
    throw new AppError('face.spoof_suspected', 'the face may be a presentation attack (print, screen or mask)', {
      reason: 'low_liveness',
      liveness: face.liveness,
      threshold: policy.livenessThreshold,
    });
  }
  return face;
}
