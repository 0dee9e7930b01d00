/**
 * Verification metrics over genuine (same identity) and impostor (different identity) similarity scores.
 * Pure functions. A pair is accepted when its score is strictly above the threshold.
 */
export interface OperatingPoint {
  readonly threshold: number;
  readonly tar: number;
  readonly far: number;
}

/** Sorts a copy descending. */
function descending(scores: Float32Array | number[]): Float32Array {
  const s = Float32Array.from(scores);
  s.sort();
  s.reverse();
  return s;
}

/** Number of entries of a descending array strictly above `t`. */
function countAbove(desc: Float32Array, t: number): number {
  let lo = 0,
    hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (desc[mid]! > t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The operating point with the highest TAR whose FAR does not exceed `targetFar`: the threshold is the
 * impostor score at rank ⌊targetFar·N⌋ (so at most that many impostors score above it).
 */
export function tarAtFar(
  genuine: Float32Array | number[],
  impostor: Float32Array | number[],
  targetFar: number,
): OperatingPoint {
  const g = descending(genuine);
  const i = descending(impostor);
  const allowed = Math.floor(targetFar * i.length);
  const threshold = allowed < i.length ? i[allowed]! : -Infinity;
  return { threshold, tar: countAbove(g, threshold) / g.length, far: countAbove(i, threshold) / i.length };
}

/** Equal error rate: where the false-reject and false-accept rates cross, by a sweep over every score. */
export function equalErrorRate(
  genuine: Float32Array | number[],
  impostor: Float32Array | number[],
): { eer: number; threshold: number } {
  const g = descending(genuine);
  const i = descending(impostor);
  // Walk thresholds from high to low: FAR rises, FRR falls. Stop where FAR first meets FRR.
  let gi = 0,
    ii = 0;
  let best = { eer: 1, threshold: 1, gap: Infinity };
  while (gi < g.length || ii < i.length) {
    const t = Math.max(gi < g.length ? g[gi]! : -Infinity, ii < i.length ? i[ii]! : -Infinity);
    while (gi < g.length && g[gi]! >= t) gi++;
    while (ii < i.length && i[ii]! >= t) ii++;
    const frr = 1 - gi / g.length;
    const far = ii / i.length;
    const gap = Math.abs(far - frr);
    if (gap < best.gap) best = { eer: (far + frr) / 2, threshold: t, gap };
    if (far > frr) break;
  }
  return { eer: best.eer, threshold: best.threshold };
}

export interface LabelledPair {
  readonly fold: number;
  readonly same: boolean;
  /** NaN when either image could not be analysed: such a pair counts as an error. */
  readonly score: number;
}

/**
 * The LFW protocol: for each fold, the threshold that maximises accuracy on the other folds is applied to it;
 * returns the mean and standard deviation of the per-fold accuracies.
 */
export function tenFoldAccuracy(pairs: readonly LabelledPair[]): { mean: number; std: number; folds: number[] } {
  const foldIds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  const accuracy = (subset: readonly LabelledPair[], t: number) =>
    subset.filter((p) => !Number.isNaN(p.score) && p.score > t === p.same).length / subset.length;
  const folds = foldIds.map((k) => {
    const train = pairs.filter((p) => p.fold !== k);
    const candidates = [...new Set(train.filter((p) => !Number.isNaN(p.score)).map((p) => p.score))];
    let bestT = 0,
      bestAcc = -1;
    for (const t of candidates) {
      const a = accuracy(train, t);
      if (a > bestAcc) [bestAcc, bestT] = [a, t];
    }
    return accuracy(
      pairs.filter((p) => p.fold === k),
      bestT,
    );
  });
  const mean = folds.reduce((a, b) => a + b, 0) / folds.length;
  const std = Math.sqrt(folds.reduce((a, b) => a + (b - mean) ** 2, 0) / folds.length);
  return { mean, std, folds };
}
