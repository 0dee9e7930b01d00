/**
 * How the registry reports figures, in answers and audit records alike, so one face's numbers read the same
 * everywhere: match scores to 6 decimals (enough to order candidates), liveness and quality measures to 4 (the
 * models measure no finer).
 */
export function reportedScore(score: number): number {
  return Math.round(score * 1e6) / 1e6;
}

export function reportedMeasure(measure: number): number {
  return Math.round(measure * 1e4) / 1e4;
}
