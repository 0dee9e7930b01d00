import { describe, expect, it } from 'vitest';
import { equalErrorRate, tarAtFar, tenFoldAccuracy } from './verification-metrics.js';

describe('verification metrics', () => {
  it('finds an EER of zero for separable scores and its crossing for overlapping ones', () => {
    expect(equalErrorRate([0.9, 0.8, 0.7], [0.1, 0.2, 0.3]).eer).toBe(0);
    // One genuine below one impostor out of four each: FAR = FRR = 25% at the crossing.
    expect(equalErrorRate([0.9, 0.8, 0.7, 0.2], [0.1, 0.15, 0.3, 0.75]).eer).toBeCloseTo(0.25, 6);
  });

  it('picks the threshold that lets at most the allowed share of impostors through', () => {
    const impostor = Array.from({ length: 1000 }, (_, i) => i / 1000);
    const genuine = [0.9985, 0.9975, 0.5];
    const p = tarAtFar(genuine, impostor, 1e-3);
    expect(p.far).toBeLessThanOrEqual(1e-3);
    expect(p.threshold).toBeCloseTo(0.998, 6);
    expect(p.tar).toBeCloseTo(1 / 3, 6);
  });

  it('scores the LFW protocol with thresholds chosen on the other folds, counting unscored pairs as errors', () => {
    const pairs = Array.from({ length: 10 }, (_, fold) => [
      { fold, same: true, score: 0.8 },
      { fold, same: false, score: 0.1 },
    ]).flat();
    expect(tenFoldAccuracy(pairs).mean).toBe(1);
    pairs[0] = { fold: 0, same: true, score: Number.NaN };
    const acc = tenFoldAccuracy(pairs);
    expect(acc.folds[0]).toBe(0.5);
    expect(acc.mean).toBeCloseTo(0.95, 6);
  });
});
