import { describe, expect, it } from 'vitest';
import { readModelPack } from '../biometrics/model-pack.js';
import { loadConfig } from '../config/config.js';
import { thresholdForGallery } from './gallery-threshold.js';

const calibration = {
  dataset: 'hand-made',
  falseMatchRate: [
    [0.4, 1e-4],
    [0.5, 1e-5],
    [0.6, 1e-6],
  ] as const,
};

describe('the gallery-size threshold', () => {
  it('keeps the expected false candidates per search at the target, log-linear between points', () => {
    expect(thresholdForGallery(calibration, 1000, 0.01, 0)).toBeCloseTo(0.5, 10); // 1e-5 exactly
    expect(thresholdForGallery(calibration, 10_000, 0.01, 0)).toBeCloseTo(0.6, 10); // 1e-6
    // 3.16e-6 is half-way in log between 1e-5 and 1e-6.
    expect(thresholdForGallery(calibration, 10_000, 0.01 * Math.sqrt(10), 0)).toBeCloseTo(0.55, 10);
  });

  it('never goes below the floor, nor past the last measured point', () => {
    expect(thresholdForGallery(calibration, 10, 0.01, 0.42)).toBe(0.42);
    expect(thresholdForGallery(calibration, 10, 0.01, 0)).toBe(0.4);
    expect(thresholdForGallery(calibration, 1e9, 0.01, 0)).toBe(0.6);
    expect(thresholdForGallery(calibration, 0, 0.01, 0.42)).toBe(0.42);
  });

  it('rises monotonically with the gallery for the shipped pack: 1:1 floor for a few dozen, ~0.6 at 100k', () => {
    const pack = readModelPack(loadConfig({}).engine.modelPackDir);
    expect(pack.calibration).toBeDefined();
    const t = (n: number) => thresholdForGallery(pack.calibration!, n, 0.05, 0.42);
    expect(t(50)).toBe(0.42);
    expect(t(100_000)).toBeGreaterThan(0.59);
    expect(t(100_000)).toBeLessThan(0.61);
    let previous = 0;
    for (const n of [10, 100, 1e3, 1e4, 1e5, 1e6, 1e7]) {
      expect(t(n)).toBeGreaterThanOrEqual(previous);
      previous = t(n);
    }
  });
});
