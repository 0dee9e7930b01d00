import { describe, expect, it } from 'vitest';
import {
  ageAt,
  consentFor,
  isMinor,
  mayActFor,
  mayGrant,
  type ConsentState,
  type Grant,
  type Use,
} from './consent-policy.js';

const NOW = '2026-11-23T12:00:00.000Z';
const rules = { ageOfConsent: 14, minorPurposes: ['school_meals', 'transit_fare'] };
const grant = (over: Partial<Grant> = {}): Grant => ({
  relyingPartyId: 'rp_metro',
  purpose: 'transit_fare',
  scope: 'segment',
  expiresAt: null,
  revokedAt: null,
  ...over,
});
const state = (over: Partial<ConsentState> = {}): ConsentState => ({
  segmentId: 'moscow',
  birthDate: null,
  rules,
  grants: [grant()],
  locks: [],
  ...over,
});
const use = (over: Partial<Use> = {}): Use => ({
  relyingPartyId: 'rp_metro',
  purpose: 'transit_fare',
  partySegments: ['moscow'],
  now: NOW,
  ...over,
});

describe('consent policy', () => {
  it('allows exactly the granted party, purpose and segment', () => {
    expect(consentFor(state(), use())).toEqual({ allowed: true });
    expect(consentFor(state(), use({ relyingPartyId: 'rp_bank' }))).toEqual({ allowed: false, reason: 'no_consent' });
    expect(consentFor(state(), use({ purpose: 'parking' }))).toEqual({ allowed: false, reason: 'no_consent' });
    expect(consentFor(state(), use({ partySegments: ['kazan'] }))).toEqual({ allowed: false, reason: 'no_consent' });
    expect(consentFor(state({ grants: [grant({ scope: 'all' })] }), use({ partySegments: ['kazan'] })).allowed).toBe(
      true,
    );
  });

  it('treats a revoked or expired grant as none, and honours a future expiry', () => {
    expect(consentFor(state({ grants: [grant({ revokedAt: NOW })] }), use()).allowed).toBe(false);
    expect(consentFor(state({ grants: [grant({ expiresAt: NOW })] }), use()).allowed).toBe(false);
    expect(consentFor(state({ grants: [grant({ expiresAt: '2026-11-23T12:00:01.000Z' })] }), use()).allowed).toBe(true);
  });

  it('refuses while a lock holds, all purposes or one, and during a temporary unlock allows', () => {
    const lock = { purpose: null, unlockedUntil: null, removedAt: null };
    expect(consentFor(state({ locks: [lock] }), use())).toEqual({ allowed: false, reason: 'locked' });
    expect(consentFor(state({ locks: [{ ...lock, purpose: 'transit_fare' }] }), use()).allowed).toBe(false);
    expect(consentFor(state({ locks: [{ ...lock, purpose: 'parking' }] }), use()).allowed).toBe(true);
    expect(consentFor(state({ locks: [{ ...lock, removedAt: NOW }] }), use()).allowed).toBe(true);
    const unlockedUntil = '2026-11-23T12:10:00.000Z';
    expect(consentFor(state({ locks: [{ ...lock, unlockedUntil }] }), use()).allowed).toBe(true);
    expect(consentFor(state({ locks: [{ ...lock, unlockedUntil }] }), use({ now: unlockedUntil })).allowed).toBe(false);
  });

  it('computes ages in whole years and applies the age of consent', () => {
    expect(ageAt('2012-11-23', NOW)).toBe(14);
    expect(ageAt('2012-11-24', NOW)).toBe(13);
    expect(isMinor('2012-11-24', rules, NOW)).toBe(true);
    expect(isMinor('2012-11-23', rules, NOW)).toBe(false);
    expect(isMinor(null, rules, NOW)).toBe(false);
  });

  it('matches a minor only for the purposes the segment allows minors', () => {
    const child = state({ birthDate: '2016-05-01', grants: [grant(), grant({ purpose: 'parking' })] });
    expect(consentFor(child, use()).allowed).toBe(true);
    expect(consentFor(child, use({ purpose: 'parking' }))).toEqual({
      allowed: false,
      reason: 'minor_purpose_forbidden',
    });
  });

  it('lets only a guardian grant for a minor, only allowed purposes, and only the adult for themself', () => {
    const minor = { birthDate: '2016-05-01', rules };
    const adult = { birthDate: '1990-01-01', rules };
    expect(mayGrant('guardian', minor, 'school_meals', NOW)).toEqual({ allowed: true });
    expect(mayGrant('self', minor, 'school_meals', NOW)).toEqual({ allowed: false, reason: 'guardian_required' });
    expect(mayGrant('other', minor, 'school_meals', NOW)).toEqual({ allowed: false, reason: 'guardian_required' });
    expect(mayGrant('guardian', minor, 'parking', NOW)).toEqual({
      allowed: false,
      reason: 'purpose_forbidden_for_minor',
    });
    expect(mayGrant('self', minor, 'parking', NOW)).toEqual({ allowed: false, reason: 'purpose_forbidden_for_minor' });
    expect(mayGrant('enrolling_party', minor, 'school_meals', NOW).allowed).toBe(false);
    expect(mayGrant('self', adult, 'parking', NOW)).toEqual({ allowed: true });
    expect(mayGrant('guardian', adult, 'parking', NOW)).toEqual({ allowed: false, reason: 'not_your_data' });
    expect(mayActFor('guardian', minor, NOW)).toBe(true);
    expect(mayActFor('guardian', adult, NOW)).toBe(false);
    expect(mayActFor('self', minor, NOW)).toBe(true);
  });
});
