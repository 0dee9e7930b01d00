import type { Point, Raster } from './raster.js';

/**
 * A face-image quality gate in the spirit of ISO/IEC 29794-5: each measure is computed from the landmarks and
 * the aligned 112×112 crop, compared with a configured threshold, and every failure is named.
 * Pure code: no I/O.
 */
export type QualityReason =
  | 'face_too_small'
  | 'yaw_too_large'
  | 'pitch_too_large'
  | 'blurred'
  | 'underexposed'
  | 'overexposed'
  | 'multiple_faces';

export interface QualityThresholds {
  /** Minimum distance between the eye centres, in pixels of the original image. */
  readonly minInterEyePx: number;
  readonly maxYawDeg: number;
  readonly maxPitchDeg: number;
  /** Minimum variance of the Laplacian over the aligned face's inner region. */
  readonly minSharpness: number;
  /** Mean luma of the inner face region must lie in [minBrightness, maxBrightness]. */
  readonly minBrightness: number;
  readonly maxBrightness: number;
  /** Largest tolerated fraction of inner-face pixels that are clipped to black or white. */
  readonly maxClippedFraction: number;
}

export interface QualityMeasures {
  readonly interEyePx: number;
  readonly yawDeg: number;
  readonly pitchDeg: number;
  readonly rollDeg: number;
  readonly sharpness: number;
  readonly brightness: number;
  readonly clippedFraction: number;
}

export interface QualityAssessment {
  /** 0 (unusable) to 100 (every measure at its ideal); 50 means the weakest measure sits on its threshold. */
  readonly score: number;
  readonly acceptable: boolean;
  readonly reasons: QualityReason[];
  readonly measures: QualityMeasures;
}

const DEG = 180 / Math.PI;
// Nose-tip depth in front of the eye–mouth plane, as a fraction of the eye–mouth distance, for an average
// adult face; it turns the nose's vertical offset into a pitch angle.
const NOSE_DEPTH_RATIO = 0.5;
// Where the nose tip sits between the eye line (0) and the mouth line (1) in a frontal face: the ArcFace
// reference geometry.
const FRONTAL_NOSE_POSITION = 0.495;

/**
 * Head pose from 68-point landmarks (iBUG layout), in degrees. Yaw uses a cylinder model: the nose tip's
 * offset from the middle of the jaw outline over the outline's half-width is sin(yaw). Pitch uses the nose tip's
 * position between the eye and mouth lines. Both are estimates, good to a few degrees near frontal.
 */
export function estimatePose(landmarks68: readonly Point[]): { yawDeg: number; pitchDeg: number; rollDeg: number } {
  const p = (i: number): Point => landmarks68[i]!;
  const mean = (idx: number[]): Point => [
    idx.reduce((s, i) => s + p(i)[0], 0) / idx.length,
    idx.reduce((s, i) => s + p(i)[1], 0) / idx.length,
  ];
  const leftEye = mean([36, 37, 38, 39, 40, 41]);
  const rightEye = mean([42, 43, 44, 45, 46, 47]);
  const roll = Math.atan2(rightEye[1] - leftEye[1], rightEye[0] - leftEye[0]);
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  const derolled = (q: Point): Point => [q[0] * cos - q[1] * sin, q[0] * sin + q[1] * cos];
  const nose = derolled(p(30));
  const jawLeft = derolled(p(1));
  const jawRight = derolled(p(15));
  const half = (jawRight[0] - jawLeft[0]) / 2;
  const yawSin = half > 0 ? (nose[0] - (jawLeft[0] + half)) / half : 0;
  const eyes = derolled([(leftEye[0] + rightEye[0]) / 2, (leftEye[1] + rightEye[1]) / 2]);
  const mouth = derolled(mean([48, 54]));
  const eyeToMouth = mouth[1] - eyes[1];
  const position = eyeToMouth > 0 ? (nose[1] - eyes[1]) / eyeToMouth : FRONTAL_NOSE_POSITION;
  return {
    yawDeg: Math.asin(Math.max(-1, Math.min(1, yawSin))) * DEG,
    pitchDeg: Math.atan((position - FRONTAL_NOSE_POSITION) / NOSE_DEPTH_RATIO) * DEG,
    rollDeg: roll * DEG,
  };
}

// The inner face of the aligned 112×112 crop: brows to chin, cheek to cheek, no background or hair.
const INNER = { x0: 28, x1: 84, y0: 36, y1: 104 } as const;

/** Sharpness and exposure over the inner region of the aligned face (grey, 112×112). */
export function measureImage(alignedGrey: Raster): { sharpness: number; brightness: number; clippedFraction: number } {
  const { width, data } = alignedGrey;
  let sum = 0,
    clipped = 0,
    n = 0;
  let lapSum = 0,
    lapSq = 0,
    m = 0;
  for (let y = INNER.y0; y < INNER.y1; y++) {
    for (let x = INNER.x0; x < INNER.x1; x++) {
      const v = data[y * width + x]!;
      sum += v;
      if (v <= 5 || v >= 250) clipped++;
      n++;
      const lap =
        data[(y - 1) * width + x]! +
        data[(y + 1) * width + x]! +
        data[y * width + x - 1]! +
        data[y * width + x + 1]! -
        4 * v;
      lapSum += lap;
      lapSq += lap * lap;
      m++;
    }
  }
  const lapMean = lapSum / m;
  return { sharpness: lapSq / m - lapMean * lapMean, brightness: sum / n, clippedFraction: clipped / n };
}

/** Maps a measure to [0, 1]: 0.5 at its threshold, 1 at or beyond `ideal`, 0 at or beyond `worst`. */
function ramp(value: number, threshold: number, ideal: number, worst: number): number {
  if ((ideal - threshold) * (value - threshold) >= 0) {
    return Math.min(1, 0.5 + (0.5 * (value - threshold)) / (ideal - threshold));
  }
  return Math.max(0, 0.5 - (0.5 * (value - threshold)) / (worst - threshold));
}

/** Compares the measures with the thresholds and names every failure. */
export function assessQuality(m: QualityMeasures, t: QualityThresholds, rivalFaceCount = 0): QualityAssessment {
  const reasons: QualityReason[] = [];
  if (m.interEyePx < t.minInterEyePx) reasons.push('face_too_small');
  if (Math.abs(m.yawDeg) > t.maxYawDeg) reasons.push('yaw_too_large');
  if (Math.abs(m.pitchDeg) > t.maxPitchDeg) reasons.push('pitch_too_large');
  if (m.sharpness < t.minSharpness) reasons.push('blurred');
  if (m.brightness < t.minBrightness) reasons.push('underexposed');
  if (m.brightness > t.maxBrightness || m.clippedFraction > t.maxClippedFraction) reasons.push('overexposed');
  if (rivalFaceCount > 0) reasons.push('multiple_faces');
  const midBrightness = (t.minBrightness + t.maxBrightness) / 2;
  const components = [
    ramp(m.interEyePx, t.minInterEyePx, 2 * t.minInterEyePx, 0),
    ramp(Math.abs(m.yawDeg), t.maxYawDeg, 0, 90),
    ramp(Math.abs(m.pitchDeg), t.maxPitchDeg, 0, 90),
    ramp(m.sharpness, t.minSharpness, 4 * t.minSharpness, 0),
    m.brightness < midBrightness
      ? ramp(m.brightness, t.minBrightness, midBrightness, 0)
      : ramp(m.brightness, t.maxBrightness, midBrightness, 255),
    ramp(m.clippedFraction, t.maxClippedFraction, 0, 1),
    rivalFaceCount > 0 ? 0 : 1,
  ];
  return {
    score: Math.round(100 * Math.min(...components)),
    acceptable: reasons.length === 0,
    reasons,
    measures: m,
  };
}
