import { describe, expect, it } from 'vitest';
import {
  FAILED_TO_ACQUIRE,
  fnirAt,
  fnirAtFpir,
  fpirAt,
  highestImpostorPairs,
  highestInMatrix,
  poissonUpper95,
  rank1Accuracy,
  thresholdSweep,
  type MatedSearch,
} from './identification-metrics.js';

// Four mated searches: a confident hit, a weak hit, a wrong top-1, and a probe with no usable face.
const mated: MatedSearch[] = [
  { mateIsTop1: true, top1Score: 0.9 },
  { mateIsTop1: true, top1Score: 0.5 },
  { mateIsTop1: false, top1Score: 0.7 },
  FAILED_TO_ACQUIRE,
];
const nonMatedTop1 = [0.3, 0.45, 0.6, 0.2];

describe('identification metrics', () => {
  it('counts rank-1 hits whatever their score, with a failure to acquire as a miss', () => {
    expect(rank1Accuracy(mated)).toBe(0.5);
    expect(rank1Accuracy(mated.slice(0, 2))).toBe(1);
  });

  it('misses a mate below the threshold, a wrong top-1 even above it, and every failure to acquire', () => {
    expect(fnirAt(mated, 0.6)).toBe(0.75); // only the 0.9 hit survives
    expect(fnirAt(mated, 0.5)).toBe(0.5); // at or above: the 0.5 hit is returned
    expect(fnirAt(mated, -1)).toBe(0.5); // the wrong top-1 and the failure stay misses at any threshold
    expect(fnirAt(mated, 0.95)).toBe(1);
  });

  it('counts a non-mated search as a false positive when its top-1 is at or above the threshold', () => {
    expect(fpirAt(nonMatedTop1, 0.45)).toBe(0.5);
    expect(fpirAt(nonMatedTop1, 0.46)).toBe(0.25);
    expect(fpirAt(nonMatedTop1, 0.61)).toBe(0);
  });

  it('sets the FNIR-at-FPIR threshold just above the first non-mated score the target does not allow', () => {
    // FPIR 0.25 of 4 searches allows one false positive: the threshold must exclude 0.45 but may admit 0.6.
    const p = fnirAtFpir(mated, nonMatedTop1, 0.25);
    expect(p.threshold).toBeGreaterThan(0.45);
    expect(p.threshold).toBeLessThan(0.450001);
    expect(p.fpir).toBe(0.25);
    expect(p.fnir).toBe(0.5); // the 0.9 and 0.5 hits are both above 0.45
    expect(p.falsePositivesAllowed).toBe(1);
    expect(p.measurable).toBe(true);
  });

  it('falls back to the no-false-positive point, flagged as not measurable, when the target is below 1/N', () => {
    const p = fnirAtFpir(mated, nonMatedTop1, 0.1);
    expect(p.threshold).toBeGreaterThan(0.6);
    expect(p.threshold).toBeLessThan(0.600001);
    expect(p.fpir).toBe(0);
    expect(p.fnir).toBe(0.75);
    expect(p.measurable).toBe(false);
  });

  it('does not let tied non-mated scores push FPIR over the target', () => {
    const p = fnirAtFpir(mated, [0.5, 0.5, 0.1, 0.1], 0.25);
    expect(p.fpir).toBe(0); // admitting one 0.5 admits both, so neither is
    expect(p.fnir).toBe(0.75); // and the mate at exactly 0.5 is missed with them
  });

  it('gives the exact one-sided 95% Poisson upper bounds', () => {
    expect(poissonUpper95(0)).toBeCloseTo(2.99573, 4);
    expect(poissonUpper95(1)).toBeCloseTo(4.74386, 4);
    expect(poissonUpper95(2)).toBeCloseTo(6.29579, 4);
    expect(poissonUpper95(1000)).toBeCloseTo(1053.603, 2);
    expect(poissonUpper95(1500) / 1565.2896).toBeCloseTo(1, 3);
  });

  it('sweeps thresholds into FNIR, FPIR, per-comparison FMR and projected false candidates', () => {
    const comparisons = [0.6, 0.45, 0.3, 0.2, 0.1, 0, -0.1, 0.05, 0.15, 0.25];
    const [low, high] = thresholdSweep(mated, nonMatedTop1, comparisons, [0.45, 0.7], [100, 1000]);
    expect(low).toMatchObject({ threshold: 0.45, fnir: 0.5, fpir: 0.5, falseMatches: 2, fmr: 0.2 });
    expect(low!.fmrUpper95).toBeCloseTo(0.629579, 5);
    expect(low!.projections[0]!.size).toBe(100);
    expect(low!.projections[0]!.expected).toBeCloseTo(20, 9);
    expect(low!.projections[1]!.expected).toBeCloseTo(200, 9);
    expect(low!.projections[0]!.upper95).toBeCloseTo(62.9579, 3);
    // Nothing observed at 0.7: the expectation is zero but the data cannot rule out 3 per 10 comparisons.
    expect(high).toMatchObject({ threshold: 0.7, fnir: 0.75, fpir: 0, falseMatches: 0, fmr: 0 });
    expect(high!.projections[1]!.expected).toBe(0);
    expect(high!.projections[1]!.upper95).toBeCloseTo(299.573, 2);
  });
});

describe('impostor tail listing', () => {
  it('lists the highest scores of a matrix with their row and column, best first', () => {
    // 2 × 3: row 0 = [0.1, 0.9, 0.3], row 1 = [0.8, 0.2, 0.85].
    const top = highestInMatrix([0.1, 0.9, 0.3, 0.8, 0.2, 0.85], 3, 3);
    expect(top).toEqual([
      { a: 0, b: 1, score: 0.9 },
      { a: 1, b: 2, score: 0.85 },
      { a: 1, b: 0, score: 0.8 },
    ]);
  });

  it('ranks pairs of different identities only, skipping same-identity pairs however close', () => {
    const v = (x: number, y: number) => Float32Array.of(x, y);
    const items = [
      { identity: 'ann', vector: v(1, 0) },
      { identity: 'ann', vector: v(1, 0) }, // a perfect genuine pair, not an impostor
      { identity: 'bob', vector: v(0.6, 0.8) }, // 0.6 against each ann
      { identity: 'cy', vector: v(0, 1) }, // 0.8 against bob, 0 against ann
    ];
    const top = highestImpostorPairs(items, 3);
    expect(top.map((p) => [p.a, p.b])).toEqual([
      [2, 3],
      [0, 2],
      [1, 2],
    ]);
    expect(top[0]!.score).toBeCloseTo(0.8, 6);
    expect(top[1]!.score).toBeCloseTo(0.6, 6);
  });
});
