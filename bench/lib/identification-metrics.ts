/**
 * Open-set 1:N identification metrics (ISO/IEC 19795-1 terms) for a candidate list of length one. Pure
 * functions. A gallery entry is returned as a candidate when its score is at or above the threshold, which is
 * how the engine's `compare` decides a match.
 */

/** The outcome of one mated search (the probe's true mate is enrolled). */
export interface MatedSearch {
  /** Whether the top-ranked gallery entry is the probe's mate. */
  readonly mateIsTop1: boolean;
  /** The top-ranked gallery entry's score. */
  readonly top1Score: number;
}

/**
 * A mated probe with no usable face. The system returns nobody for it, so it is a miss at every threshold and
 * a rank-1 failure: failures to acquire count against FNIR rather than being quietly dropped.
 */
export const FAILED_TO_ACQUIRE: MatedSearch = Object.freeze({ mateIsTop1: false, top1Score: Number.NEGATIVE_INFINITY });

/**
 * Rank-1 identification rate: the share of mated searches whose top-ranked entry is the mate, whatever its score.
 *
 * @example rank1Accuracy([{ mateIsTop1: true, top1Score: 0.8 }, FAILED_TO_ACQUIRE]) // 0.5
 */
export function rank1Accuracy(mated: readonly MatedSearch[]): number {
  return mated.filter((m) => m.mateIsTop1).length / mated.length;
}

/** False-negative identification rate: the share of mated searches whose mate is not returned at rank 1 at `threshold`. */
export function fnirAt(mated: readonly MatedSearch[], threshold: number): number {
  return 1 - mated.filter((m) => m.mateIsTop1 && m.top1Score >= threshold).length / mated.length;
}

/**
 * False-positive identification rate: the share of non-mated searches that return any candidate at
 * `threshold`, that is whose top-1 score is at or above it.
 */
export function fpirAt(nonMatedTop1: ArrayLike<number>, threshold: number): number {
  return countAtLeast(nonMatedTop1, threshold) / nonMatedTop1.length;
}

/** How many scores are at or above `threshold`. */
export function countAtLeast(scores: ArrayLike<number>, threshold: number): number {
  let n = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! >= threshold) n++;
  return n;
}

export interface IdentificationPoint {
  readonly threshold: number;
  readonly fnir: number;
  readonly fpir: number;
  /** ⌊targetFpir · non-mated searches⌋: how many false positives the target allows on this probe set. */
  readonly falsePositivesAllowed: number;
  /**
   * Whether the probe set can resolve the target (it allows at least one false positive). When it cannot, the
   * point is the one with no observed false positive, which only bounds the true FPIR from above at about 3/N.
   */
  readonly measurable: boolean;
}

/**
 * FNIR at the lowest threshold whose FPIR does not exceed `targetFpir`. With `a` false positives allowed, that
 * threshold is the least number above the (a+1)-th highest non-mated top-1 score, so ties cannot push FPIR
 * over the target.
 */
export function fnirAtFpir(
  mated: readonly MatedSearch[],
  nonMatedTop1: ArrayLike<number>,
  targetFpir: number,
): IdentificationPoint {
  const desc = Float64Array.from(nonMatedTop1).sort().reverse();
  const allowed = Math.floor(targetFpir * desc.length);
  const threshold = allowed < desc.length ? nextAbove(desc[allowed]!) : Number.NEGATIVE_INFINITY;
  return {
    threshold,
    fnir: fnirAt(mated, threshold),
    fpir: fpirAt(desc, threshold),
    falsePositivesAllowed: allowed,
    measurable: allowed >= 1,
  };
}

/** The smallest double strictly greater than `x` (finite `x`). */
function nextAbove(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  // IEEE 754 doubles order like sign-magnitude integers: one step away from zero for positives, towards it for negatives.
  view.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/**
 * One-sided 95% upper confidence bound on the mean of a Poisson count of which `k` were observed: 2.996 for
 * k = 0 (the "rule of three"). Exact by bisection up to k = 1000, the Wilson–Hilferty approximation beyond
 * (within 0.1% there).
 */
export function poissonUpper95(k: number): number {
  if (k > 1000) {
    const m = k + 1;
    return m * (1 - 1 / (9 * m) + 1.6448536 / (3 * Math.sqrt(m))) ** 3;
  }
  // P(X ≤ k; λ) falls as λ grows; find where it reaches 0.05. Summed in log space so large λ do not underflow.
  const cdf = (lambda: number) => {
    let logTerm = -lambda,
      sum = Math.exp(logTerm);
    for (let i = 1; i <= k; i++) {
      logTerm += Math.log(lambda / i);
      sum += Math.exp(logTerm);
    }
    return sum;
  };
  let lo = 0,
    hi = 2 * k + 10;
  for (let step = 0; step < 100; step++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Expected false candidates per search in a gallery of `size` enrolments, from a per-comparison rate. */
export interface GalleryProjection {
  readonly size: number;
  /** rate · size. */
  readonly expected: number;
  /** The same from the rate's 95% upper bound: what the data cannot rule out. */
  readonly upper95: number;
}

export interface SweepRow {
  readonly threshold: number;
  readonly fnir: number;
  readonly fpir: number;
  /** Non-mated probe × gallery comparisons scoring at or above the threshold. */
  readonly falseMatches: number;
  /** Per-comparison false match rate: falseMatches / comparisons. */
  readonly fmr: number;
  readonly fmrUpper95: number;
  readonly projections: readonly GalleryProjection[];
}

/**
 * FNIR, FPIR and the per-comparison false match rate at each threshold, with the expected number of false
 * candidates per search that rate implies in larger galleries. `comparisonScores` holds every non-mated
 * probe × gallery score: unlike FPIR, which saturates with gallery size, the per-comparison rate scales (a
 * search of N enrolments makes N comparisons), so it is what extrapolates.
 */
export function thresholdSweep(
  mated: readonly MatedSearch[],
  nonMatedTop1: ArrayLike<number>,
  comparisonScores: ArrayLike<number>,
  thresholds: readonly number[],
  gallerySizes: readonly number[],
): SweepRow[] {
  return thresholds.map((threshold) => {
    const falseMatches = countAtLeast(comparisonScores, threshold);
    const fmr = falseMatches / comparisonScores.length;
    const fmrUpper95 = poissonUpper95(falseMatches) / comparisonScores.length;
    return {
      threshold,
      fnir: fnirAt(mated, threshold),
      fpir: fpirAt(nonMatedTop1, threshold),
      falseMatches,
      fmr,
      fmrUpper95,
      projections: gallerySizes.map((size) => ({ size, expected: fmr * size, upper95: fmrUpper95 * size })),
    };
  });
}

/** A scored pair of indices into some list. */
export interface ScoredPair {
  readonly a: number;
  readonly b: number;
  readonly score: number;
}

/** Keeps the `k` highest-scoring pairs offered to it, best first. */
function topK(k: number): { offer: (a: number, b: number, score: number) => void; pairs: ScoredPair[] } {
  const pairs: ScoredPair[] = [];
  const offer = (a: number, b: number, score: number) => {
    if (pairs.length === k && score <= pairs[k - 1]!.score) return;
    let at = pairs.length;
    while (at > 0 && pairs[at - 1]!.score < score) at--;
    pairs.splice(at, 0, { a, b, score });
    if (pairs.length > k) pairs.pop();
  };
  return { offer, pairs };
}

/**
 * The `k` highest scores of a row-major rows × `columns` score matrix, as (row, column) pairs, best first.
 *
 * @example highestInMatrix([0.1, 0.9, 0.5, 0.2], 2, 1) // [{ a: 0, b: 1, score: 0.9 }]
 */
export function highestInMatrix(scores: ArrayLike<number>, columns: number, k: number): ScoredPair[] {
  const top = topK(k);
  for (let i = 0; i < scores.length; i++) top.offer(Math.floor(i / columns), i % columns, scores[i]!);
  return top.pairs;
}

/**
 * The `k` highest-scoring pairs of items with different identities, best first, by dot product of their
 * L2-normalised vectors. The top of the impostor tail is where wrong labels and duplicate people in the data
 * show up, so it is listed for a human to audit rather than trusted as false matches.
 */
export function highestImpostorPairs(
  items: readonly { identity: string; vector: Float32Array }[],
  k: number,
): ScoredPair[] {
  const top = topK(k);
  for (let i = 0; i < items.length; i++) {
    const a = items[i]!;
    for (let j = i + 1; j < items.length; j++) {
      const b = items[j]!;
      if (a.identity === b.identity) continue;
      let s = 0;
      for (let d = 0; d < a.vector.length; d++) s += a.vector[d]! * b.vector[d]!;
      top.offer(i, j, s);
    }
  }
  return top.pairs;
}
