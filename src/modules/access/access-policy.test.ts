import { describe, expect, it } from 'vitest';
import { adminOnly, consentAllows, operatorMay, relyingPartyMay } from './access-policy.js';
import { captureRequirements } from './capture-requirements.js';
import type { Principal } from './principal.js';

const principal = (over: Partial<Principal> = {}): Principal => ({
  id: 'rp_1',
  role: 'relying_party',
  name: 'Metro',
  purposes: ['transit_fare'],
  segments: ['moscow'],
  rights: ['verify', 'identify'],
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

  it('requires consent to the exact purpose', () => {
    expect(consentAllows(new Set(['transit_fare']), 'transit_fare').allowed).toBe(true);
    expect(consentAllows(new Set(['parking']), 'transit_fare')).toEqual({
      allowed: false,
      code: 'consent.missing',
      reason: 'no_consent',
    });
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
