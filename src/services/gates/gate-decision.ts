import type { Identification } from '../registry.js';

/** Why a face at a gate opened nothing. */
export type FaceRefusal = 'no_match' | 'ambiguous';

export type GateMatch =
  { readonly match: true; readonly personId: string } | { readonly match: false; readonly reason: FaceRefusal };

/**
 * "Never the wrong person": a gate acts on the registry's best candidate only when it cleared the gallery-size
 * threshold (the registry returns no candidate otherwise) AND beat anyone else in the gallery by `margin`. A
 * close second, consenting or not, means the face could be either: `ambiguous`, and nobody is charged.
 *
 * @example gateMatch({ candidates: [{ personId: 'psn_a', score: 0.71 }], threshold: 0.5, runnerUpScore: 0.69 }, 0.05)
 * // → { match: false, reason: 'ambiguous' }
 */
export function gateMatch(found: Identification, margin: number): GateMatch {
  const best = found.candidates[0];
  if (!best) return { match: false, reason: 'no_match' };
  const second = found.runnerUpScore ?? null;
  if (second !== null && best.score - second < margin) return { match: false, reason: 'ambiguous' };
  return { match: true, personId: best.personId };
}

/** A gate event id: the gate's own id for one pass, letters, digits and `._:-`, at most 100 characters. */
export const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
