import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { checkCapture, type CapturePolicy } from './capture-policy.js';
import type { AnalysedFace, ImageAnalysis } from './pipeline.js';
import type { QualityAssessment } from './quality.js';

const goodQuality: QualityAssessment = {
  score: 90,
  acceptable: true,
  reasons: [],
  measures: { interEyePx: 60, yawDeg: 0, pitchDeg: 0, rollDeg: 0, sharpness: 300, brightness: 120, clippedFraction: 0 },
};
const newFace = (overrides: Partial<AnalysedFace> = {}): AnalysedFace => ({
  box: { x1: 10, y1: 10, x2: 110, y2: 130 },
  detectionScore: 0.99,
  landmarks: [],
  quality: goodQuality,
  liveness: 0.95,
  livenessContext: 2.7,
  template: new Float32Array(4),
  ...overrides,
});
const newAnalysis = (faces: AnalysedFace[], rivalCount = 0): ImageAnalysis => ({
  format: 'jpeg',
  width: 250,
  height: 250,
  modelPack: 'test@1',
  faceCount: faces.length + rivalCount,
  rivalCount,
  faces,
  timings: { decode: 0, detect: 0, landmarks: 0, align: 0, embed: 0, liveness: 0, quality: 0, total: 0, inference: 0 },
});
const strict: CapturePolicy = {
  enforceQuality: true,
  requireLiveness: true,
  livenessThreshold: 0.5,
  minLivenessContext: 1.8,
};

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, data: e.data };
    throw e;
  }
  return undefined;
};

describe('capture policy', () => {
  it('accepts one good, live face', () => {
    const face = newFace();
    expect(checkCapture(newAnalysis([face]), strict)).toBe(face);
  });

  it('refuses in a fixed order: no face, rivals, quality, too little context, low liveness', () => {
    expect(codeOf(() => checkCapture(newAnalysis([]), strict))?.code).toBe('face.not_found');
    expect(codeOf(() => checkCapture(newAnalysis([newFace({ liveness: 0 })], 1), strict))).toEqual({
      code: 'face.multiple',
      data: { faces: 2 },
    });
    const blurred = { ...goodQuality, acceptable: false, reasons: ['blurred' as const], score: 30 };
    expect(codeOf(() => checkCapture(newAnalysis([newFace({ quality: blurred, liveness: 0 })]), strict))).toMatchObject(
      {
        code: 'face.low_quality',
        data: { reasons: ['blurred'], score: 30 },
      },
    );
    expect(codeOf(() => checkCapture(newAnalysis([newFace({ livenessContext: 1.2 })]), strict))).toMatchObject({
      code: 'face.spoof_suspected',
      data: { reason: 'insufficient_context' },
    });
    expect(codeOf(() => checkCapture(newAnalysis([newFace({ liveness: 0.2 })]), strict))).toMatchObject({
      code: 'face.spoof_suspected',
      data: { reason: 'low_liveness', liveness: 0.2, threshold: 0.5 },
    });
  });

  it('only reports quality and liveness when the policy does not require them', () => {
    const lax = { ...strict, enforceQuality: false, requireLiveness: false };
    const poor = { ...goodQuality, acceptable: false, reasons: ['yaw_too_large' as const] };
    const face = newFace({ quality: poor, liveness: 0.01, livenessContext: 1 });
    expect(checkCapture(newAnalysis([face]), lax)).toBe(face);
  });
});
