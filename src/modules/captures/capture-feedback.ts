import type { ImageAnalysis } from '../../biometrics/pipeline.js';
import type { QualityReason } from '../../biometrics/quality.js';

/**
 * Why a frame is not yet ready to enrol, in the engine's own words: its quality reasons, plus what the
 * capture policy would refuse before quality (no face, a second face) and after it (a crop too tight for
 * the required liveness check, which a person fixes by stepping back).
 */
export type CaptureReason = QualityReason | 'no_face' | 'too_close';

export interface CaptureFeedback {
  /** The frame would pass the enrolment capture policy's quality and framing checks. */
  readonly ready: boolean;
  readonly reasons: CaptureReason[];
  readonly faces: number;
  /** 0–100 quality score of the dominant face (50 = its weakest measure on its threshold); null without one. */
  readonly score: number | null;
  /** Head pose and exposure of the dominant face, for a guide on screen. */
  readonly measures: {
    readonly interEyePx: number;
    readonly yawDeg: number;
    readonly pitchDeg: number;
    readonly rollDeg: number;
    readonly brightness: number;
    readonly sharpness: number;
  } | null;
  /** The dominant face's box as fractions of the image (0–1), to draw a frame around it. */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number } | null;
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Feedback for one frame. Pure. Deliberately carries no liveness score and no template: a quality check must
 * not become an oracle for tuning a presentation attack, nor a way to compare faces.
 */
export function captureFeedback(
  analysis: ImageAnalysis,
  policy: { readonly requireLiveness: boolean; readonly minLivenessContext: number },
): CaptureFeedback {
  const face = analysis.faces[0];
  if (!face) return { ready: false, reasons: ['no_face'], faces: 0, score: null, measures: null, box: null };
  const reasons: CaptureReason[] = [...face.quality.reasons];
  if (analysis.rivalCount > 0 && !reasons.includes('multiple_faces')) reasons.push('multiple_faces');
  if (policy.requireLiveness && face.livenessContext < policy.minLivenessContext) reasons.push('too_close');
  const m = face.quality.measures;
  return {
    ready: reasons.length === 0,
    reasons,
    faces: analysis.faceCount,
    score: face.quality.score,
    measures: {
      interEyePx: round(m.interEyePx),
      yawDeg: round(m.yawDeg),
      pitchDeg: round(m.pitchDeg),
      rollDeg: round(m.rollDeg),
      brightness: round(m.brightness),
      sharpness: round(m.sharpness),
    },
    box: {
      x: round(face.box.x1 / analysis.width, 4),
      y: round(face.box.y1 / analysis.height, 4),
      width: round((face.box.x2 - face.box.x1) / analysis.width, 4),
      height: round((face.box.y2 - face.box.y1) / analysis.height, 4),
    },
  };
}
