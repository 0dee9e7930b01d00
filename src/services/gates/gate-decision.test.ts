import { describe, expect, it } from 'vitest';
import { gateMatch } from './gate-decision.js';

const found = (scores: number[], runnerUpScore: number | null) => ({
  candidates: scores.map((score, i) => ({ personId: `psn_${i}`, score })),
  threshold: 0.5,
  runnerUpScore,
});

describe('gateMatch', () => {
  it('opens for a lone candidate, or one clear of the runner-up by the margin', () => {
    expect(gateMatch(found([0.7], null), 0.05)).toEqual({ match: true, personId: 'psn_0' });
    expect(gateMatch(found([0.7], 0.3), 0.05)).toEqual({ match: true, personId: 'psn_0' });
    expect(gateMatch(found([0.7], 0.64), 0.05)).toEqual({ match: true, personId: 'psn_0' });
  });
  it('refuses a close second as ambiguous, even one under the threshold', () => {
    expect(gateMatch(found([0.7, 0.68], 0.68), 0.05)).toEqual({ match: false, reason: 'ambiguous' });
    expect(gateMatch(found([0.52], 0.49), 0.05)).toEqual({ match: false, reason: 'ambiguous' });
  });
  it('refuses no candidate as no_match', () => {
    expect(gateMatch(found([], null), 0.05)).toEqual({ match: false, reason: 'no_match' });
  });
});
