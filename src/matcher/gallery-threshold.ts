import type { Calibration } from '../biometrics/model-pack.js';

/**
 * The 1:N threshold for a gallery of `galleryTemplates`. A search compares the probe with every template, so
 * the expected number of false candidates is the per-comparison false match rate times the gallery size; the
 * threshold is raised until that expectation is at most `expectedFalseCandidates`, reading the pack's measured
 * FMR curve (log-linear between its points). Never below `floor` (the 1:1 threshold); past the last measured
 * point it stays there rather than extrapolate.
 * @example thresholdForGallery(cal, 100_000, 0.05, 0.42) // ≈ 0.60 for faceplugin-fr512@2
 */
export function thresholdForGallery(
  calibration: Calibration,
  galleryTemplates: number,
  expectedFalseCandidates: number,
  floor: number,
): number {
  const points = calibration.falseMatchRate;
  const target = expectedFalseCandidates / Math.max(1, galleryTemplates);
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last) return floor;
  if (target >= first[1]) return Math.max(floor, first[0]);
  if (target <= last[1]) return Math.max(floor, last[0]);
  for (let i = 1; i < points.length; i++) {
    const [t1, f1] = points[i]!;
    if (target < f1) continue;
    const [t0, f0] = points[i - 1]!;
    const share = (Math.log(f0) - Math.log(target)) / (Math.log(f0) - Math.log(f1));
    return Math.max(floor, t0 + share * (t1 - t0));
  }
  return Math.max(floor, last[0]);
}
