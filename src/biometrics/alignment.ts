import type { Affine, Point } from './raster.js';

/**
 * The five reference points (eye centres, nose tip, mouth corners) of the standard 112×112 ArcFace crop,
 * the geometry the embedder was trained on.
 */
export const ARCFACE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * Least-squares similarity transform (rotation, uniform scale, translation) taking `from` onto `to`
 * (Umeyama 1991, without reflection). Returns the forward 2×3 matrix.
 * @example estimateSimilarity(fivePoints, ARCFACE_112) // then warpAffine(image, m, 112, 112)
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Affine {
  const n = from.length;
  if (n < 2 || n !== to.length) throw new RangeError('need at least two matching point pairs');
  let mfx = 0,
    mfy = 0,
    mtx = 0,
    mty = 0;
  for (let i = 0; i < n; i++) {
    mfx += from[i]![0];
    mfy += from[i]![1];
    mtx += to[i]![0];
    mty += to[i]![1];
  }
  mfx /= n;
  mfy /= n;
  mtx /= n;
  mty /= n;
  // For a 2-D similarity the optimum has closed form: with centred points, a = Σ(x·u + y·v)/Σ|p|²,
  // b = Σ(x·v − y·u)/Σ|p|², where the matrix is [[a, −b], [b, a]].
  let sxx = 0,
    num1 = 0,
    num2 = 0;
  for (let i = 0; i < n; i++) {
    const x = from[i]![0] - mfx,
      y = from[i]![1] - mfy;
    const u = to[i]![0] - mtx,
      v = to[i]![1] - mty;
    sxx += x * x + y * y;
    num1 += x * u + y * v;
    num2 += x * v - y * u;
  }
  if (sxx < 1e-9) throw new RangeError('source points are degenerate');
  const a = num1 / sxx;
  const b = num2 / sxx;
  return [a, -b, mtx - (a * mfx - b * mfy), b, a, mty - (b * mfx + a * mfy)];
}
