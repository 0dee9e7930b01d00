import { describe, expect, it } from 'vitest';
import { adminOnly, auditorMay, consentAllows, operatorMay, relyingPartyMay } from './access-policy.js';
import { captureRequirements } from './capture-requirements.js';
import type { Principal } from './principal.js';

const principal = (over: Partial<Principal> = {}): Principal => ({
  id: 'rp_1',
  role: 'relying_party',
  name: 'Metro',
  purposes: ['transit_fare'],
  segments: ['moscow'],
  rights: ['verify', 'identify'],
  ownTemplateView: false,
  requireLiveness: false,
  ...over,
});

describe('the authorisation policy', () => {
  it('allows a relying party its right, purpose and segment, and names the first thing missing otherwise', () => {
    expect(relyingPartyMay(principal(), 'verify', 'moscow', 'transit_fare')).toEqual({ allowed: true });
    const refusal = (reason: string) => ({ allowed: false, code: 'auth.forbidden', reason });
    expect(relyingPartyMay(principal(), 'enrol', 'moscow')).toEqual(refusal('missing_right'));
    expect(relyingPartyMay(principal(), 'verify', 'moscow', 'parking')).toEqual(refusal('purpose_not_allowed'));
    expect(relyingPartyMay(principal(), 'verify', 'kazan', 'transit_fare')).toEqual(refusal('segment_not_allowed'));
    expect(relyingPartyMay(principal({ role: 'admin' }), 'verify', 'moscow', 'transit_fare')).toEqual(refusal('role'));
    expect(relyingPartyMay(principal({ role: 'operator' }), 'verify', 'moscow')).toEqual(refusal('role'));
  });

  it('lets administrators act everywhere and operators only in their segments', () => {
    expect(operatorMay(principal({ role: 'admin', segments: [] }), 'kazan').allowed).toBe(true);
    expect(operatorMay(principal({ role: 'operator' }), 'moscow').allowed).toBe(true);
    expect(operatorMay(principal({ role: 'operator' }), 'kazan')).toMatchObject({ reason: 'segment_not_allowed' });
    expect(operatorMay(principal(), 'moscow')).toMatchObject({ reason: 'role' });
    expect(adminOnly(principal({ role: 'operator' })).allowed).toBe(false);
    expect(adminOnly(principal({ role: 'admin' })).allowed).toBe(true);
  });

  it('requires the person to have granted this party the exact purpose, and refuses unknown people alike', () => {
    const state = (purpose: string) => ({
      segmentId: 'moscow',
      birthDate: null,
      rules: { ageOfConsent: 18, minorPurposes: [] },
      grants: [{ relyingPartyId: 'rp_1', purpose, scope: 'segment' as const, expiresAt: null, revokedAt: null }],
      locks: [],
    });
    const use = {
      relyingPartyId: 'rp_1',
      purpose: 'transit_fare',
      partySegments: ['moscow'],
      now: '2026-01-01T00:00:00Z',
    };
    expect(consentAllows(state('transit_fare'), use).allowed).toBe(true);
    const refused = { allowed: false, code: 'consent.missing', reason: 'no_consent' };
    expect(consentAllows(state('parking'), use)).toEqual(refused);
    expect(consentAllows(undefined, use)).toEqual(refused);
  });

  it('lets only auditors and administrators read full log entries', () => {
    expect(auditorMay(principal({ role: 'auditor' })).allowed).toBe(true);
    expect(auditorMay(principal({ role: 'admin' })).allowed).toBe(true);
    for (const role of ['relying_party', 'operator', 'citizen', 'system'] as const) {
      expect(auditorMay(principal({ role }))).toEqual({ allowed: false, code: 'auth.forbidden', reason: 'role' });
    }
  });

  it('enforces quality at enrolment only, and liveness where the deployment or the party asks for it', () => {
    expect(captureRequirements('enrolment', principal(), { requireLiveness: false })).toEqual({
      enforceQuality: true,
      requireLiveness: false,
    });
    expect(captureRequirements('probe', principal(), { requireLiveness: false }).enforceQuality).toBe(false);
    expect(
      captureRequirements('probe', principal({ requireLiveness: true }), { requireLiveness: false }).requireLiveness,
    ).toBe(true);
    expect(captureRequirements('probe', principal(), { requireLiveness: true }).requireLiveness).toBe(true);
  });
});
