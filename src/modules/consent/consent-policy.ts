/**
 * The pure rules of citizen consent: grants per relying party and purpose, locks, and the age rules for
 * minors. Instants are ISO-8601 UTC strings (they compare as they sort); dates are YYYY-MM-DD.
 */

export interface Grant {
  readonly relyingPartyId: string;
  readonly purpose: string;
  /** `segment`: only while the party works in the person's segment; `all`: from its other segments too. */
  readonly scope: 'segment' | 'all';
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

export interface Lock {
  /** NULL locks every purpose. */
  readonly purpose: string | null;
  readonly unlockedUntil: string | null;
  readonly removedAt: string | null;
}

/** A segment's rules for minors. */
export interface AgeRules {
  readonly ageOfConsent: number;
  readonly minorPurposes: readonly string[];
}

/** Everything that decides whether a person may be matched for a use. */
export interface ConsentState {
  readonly segmentId: string;
  readonly birthDate: string | null;
  readonly rules: AgeRules;
  readonly grants: readonly Grant[];
  readonly locks: readonly Lock[];
}

/** A relying party's intended use of a person's face. */
export interface Use {
  readonly relyingPartyId: string;
  readonly purpose: string;
  /** The segments the party is registered in. */
  readonly partySegments: readonly string[];
  readonly now: string;
}

export type ConsentRefusal = 'locked' | 'minor_purpose_forbidden' | 'no_consent';

/** Whole years between a birth date and an instant (UTC). */
export function ageAt(birthDate: string, now: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const d = new Date(now);
  const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  return y - by - (m < bm || (m === bm && day < bd) ? 1 : 0);
}

/** A person with no known birth date is treated as an adult: minors are enrolled with their birth date. */
export function isMinor(birthDate: string | null, rules: AgeRules, now: string): boolean {
  return birthDate !== null && ageAt(birthDate, now) < rules.ageOfConsent;
}

export function grantIsActive(g: Pick<Grant, 'expiresAt' | 'revokedAt'>, now: string): boolean {
  return g.revokedAt === null && (g.expiresAt === null || now < g.expiresAt);
}

/** A lock holds unless removed or inside a temporary unlock. */
export function lockIsActive(l: Lock, now: string): boolean {
  return l.removedAt === null && (l.unlockedUntil === null || now >= l.unlockedUntil);
}

/**
 * May this use match the person? A lock (on everything or on the purpose) refuses first; then a minor may be
 * used only for the purposes the segment allows minors; then there must be an active grant for exactly this
 * party and purpose, in scope for where the party works.
 */
export function consentFor(
  state: ConsentState,
  use: Use,
): { allowed: true } | { allowed: false; reason: ConsentRefusal } {
  if (state.locks.some((l) => (l.purpose === null || l.purpose === use.purpose) && lockIsActive(l, use.now))) {
    return { allowed: false, reason: 'locked' };
  }
  if (isMinor(state.birthDate, state.rules, use.now) && !state.rules.minorPurposes.includes(use.purpose)) {
    return { allowed: false, reason: 'minor_purpose_forbidden' };
  }
  const granted = state.grants.some(
    (g) =>
      g.relyingPartyId === use.relyingPartyId &&
      g.purpose === use.purpose &&
      grantIsActive(g, use.now) &&
      (g.scope === 'all' || use.partySegments.includes(state.segmentId)),
  );
  return granted ? { allowed: true } : { allowed: false, reason: 'no_consent' };
}

/** Who is acting on a person's consent. */
export type Actor = 'self' | 'guardian' | 'enrolling_party' | 'other';

export type GrantRefusal = 'guardian_required' | 'purpose_forbidden_for_minor' | 'not_your_data';

/**
 * May `actor` grant `purpose` for the person? An adult grants for themself; a minor's consent is given only
 * by a guardian, and only for the purposes the segment allows minors. A guardian loses this right on the day
 * the minor reaches the age of consent.
 */
export function mayGrant(
  actor: Actor,
  person: { readonly birthDate: string | null; readonly rules: AgeRules },
  purpose: string,
  now: string,
): { allowed: true } | { allowed: false; reason: GrantRefusal } {
  if (isMinor(person.birthDate, person.rules, now)) {
    if (!person.rules.minorPurposes.includes(purpose)) return { allowed: false, reason: 'purpose_forbidden_for_minor' };
    return actor === 'guardian' ? { allowed: true } : { allowed: false, reason: 'guardian_required' };
  }
  return actor === 'self' || actor === 'enrolling_party'
    ? { allowed: true }
    : { allowed: false, reason: 'not_your_data' };
}

/** May `actor` see and manage the person's data (history, locks, revocations)? */
export function mayActFor(
  actor: Actor,
  person: { readonly birthDate: string | null; readonly rules: AgeRules },
  now: string,
): boolean {
  if (actor === 'self') return true;
  return actor === 'guardian' && isMinor(person.birthDate, person.rules, now);
}
