import { describe, expect, it } from 'vitest';
import { assessQuality, estimatePose, measureImage, type QualityMeasures, type QualityThresholds } from './quality.js';
import type { Point, Raster } from './raster.js';

const thresholds: QualityThresholds = {
  minInterEyePx: 20,
  maxYawDeg: 45,
  maxPitchDeg: 35,
  minSharpness: 20,
  minBrightness: 35,
  maxBrightness: 225,
  maxClippedFraction: 0.25,
};
const good: QualityMeasures = {
  interEyePx: 60,
  yawDeg: 0,
  pitchDeg: 0,
  rollDeg: 0,
  sharpness: 400,
  brightness: 130,
  clippedFraction: 0,
};

describe('assessQuality', () => {
  it('accepts a good face with a high score and no reasons', () => {
    const q = assessQuality(good, thresholds);
    expect(q).toMatchObject({ acceptable: true, reasons: [] });
    expect(q.score).toBeGreaterThan(90);
  });

  it.each([
    [{ interEyePx: 12 }, 'face_too_small'],
    [{ yawDeg: -60 }, 'yaw_too_large'],
    [{ pitchDeg: 40 }, 'pitch_too_large'],
    [{ sharpness: 5 }, 'blurred'],
    [{ brightness: 20 }, 'underexposed'],
    [{ brightness: 240 }, 'overexposed'],
    [{ clippedFraction: 0.5 }, 'overexposed'],
  ] as const)('names %o as %s', (change, reason) => {
    const q = assessQuality({ ...good, ...change }, thresholds);
    expect(q.acceptable).toBe(false);
    expect(q.reasons).toEqual([reason]);
    expect(q.score).toBeLessThan(50);
  });

  it('names every failure at once, and a rival face', () => {
    const q = assessQuality({ ...good, interEyePx: 5, sharpness: 1 }, thresholds, 1);
    expect(q.reasons).toEqual(['face_too_small', 'blurred', 'multiple_faces']);
    expect(q.score).toBe(0);
  });

  it('scores 50 when the weakest measure sits exactly on its threshold', () => {
    expect(assessQuality({ ...good, interEyePx: 20 }, thresholds).score).toBe(50);
  });
});

/** A synthetic frontal 68-point face: jaw outline, symmetric eyes, nose on the midline, mouth below. */
function frontalFace(noseShiftX = 0, noseShiftY = 0): Point[] {
  const p: Point[] = Array.from({ length: 68 }, () => [100, 100] as Point);
  for (let i = 0; i <= 16; i++) p[i] = [40 + (120 * i) / 16, 100 + 40 * Math.sin((Math.PI * i) / 16)];
  const eye = (cx: number, from: number) => {
    for (let k = 0; k < 6; k++)
      p[from + k] = [cx + 12 * Math.cos((Math.PI * k) / 3), 90 + 5 * Math.sin((Math.PI * k) / 3)];
  };
  eye(75, 36);
  eye(125, 42);
  p[30] = [100 + noseShiftX, 90 + 0.495 * 50 + noseShiftY];
  p[48] = [80, 140];
  p[54] = [120, 140];
  return p;
}

describe('estimatePose', () => {
  it('reads a symmetric face as frontal', () => {
    const pose = estimatePose(frontalFace());
    expect(Math.abs(pose.yawDeg)).toBeLessThan(1);
    expect(Math.abs(pose.pitchDeg)).toBeLessThan(1);
    expect(Math.abs(pose.rollDeg)).toBeLessThan(1);
  });

  it('reads a nose shifted sideways as yaw, with its sign', () => {
    expect(estimatePose(frontalFace(30)).yawDeg).toBeGreaterThan(20);
    expect(estimatePose(frontalFace(-30)).yawDeg).toBeLessThan(-20);
  });

  it('reads a nose shifted down towards the mouth as pitch', () => {
    expect(estimatePose(frontalFace(0, 15)).pitchDeg).toBeGreaterThan(20);
  });
});

describe('measureImage', () => {
  const raster = (f: (x: number, y: number) => number): Raster => ({
    width: 112,
    height: 112,
    channels: 1,
    data: Uint8Array.from({ length: 112 * 112 }, (_, i) => f(i % 112, Math.floor(i / 112))),
  });

  it('finds a flat image blurred, a checkerboard sharp', () => {
    expect(measureImage(raster(() => 128)).sharpness).toBe(0);
    expect(measureImage(raster((x, y) => ((x + y) % 2) * 100 + 50)).sharpness).toBeGreaterThan(1000);
  });

  it('measures brightness and clipping', () => {
    const m = measureImage(raster(() => 255));
    expect(m.brightness).toBe(255);
    expect(m.clippedFraction).toBe(1);
  });
});
