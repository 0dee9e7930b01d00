/**
 * How strongly a use matched, for the citizen's history: the exact score stays in the audit trail for
 * auditors, while the citizen sees a band that cannot be used to probe the matcher.
 * - `none`: no comparison was made (a refusal, an enrolment);
 * - `low`: below the match threshold (not a match);
 * - `medium`: a match, under 0.6;
 * - `high`: 0.6 and above (clearly the same person for the shipped model pack).
 */
export type ScoreBand = 'none' | 'low' | 'medium' | 'high';

export function scoreBand(score: number | null, matchThreshold: number): ScoreBand {
  if (score === null) return 'none';
  if (score < matchThreshold) return 'low';
  return score < 0.6 ? 'medium' : 'high';
}
