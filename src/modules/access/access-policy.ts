import { consentFor, mayActFor, type AgeRules, type ConsentState, type Use } from '../consent/consent-policy.js';
import type { Principal } from './principal.js';
import type { Purpose, Right } from './purposes.js';

/**
 * The pure rules of the one authorisation step. A decision is either allowed or a refusal with the stable
 * code the caller sees and a reason that goes into the audit record (never to the caller, where it could tell
 * a relying party more than it may know).
 */
export type Decision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: 'auth.forbidden' | 'consent.missing';
      readonly reason:
        | 'role'
        | 'missing_right'
        | 'purpose_not_allowed'
        | 'segment_not_allowed'
        | 'segment_required'
        | 'no_consent'
        | 'locked'
        | 'minor_purpose_forbidden';
    };

const ALLOW: Decision = { allowed: true };
const forbid = (reason: Extract<Decision, { allowed: false }>['reason']): Decision => ({
  allowed: false,
  code: 'auth.forbidden',
  reason,
});

/** May this relying party use `right` for `purpose` (when the operation has one), in any of its segments? */
export function relyingPartyMayUse(principal: Principal, right: Right, purpose?: Purpose): Decision {
  if (principal.role !== 'relying_party') return forbid('role');
  if (!principal.rights.includes(right)) return forbid('missing_right');
  if (purpose !== undefined && !principal.purposes.includes(purpose)) return forbid('purpose_not_allowed');
  return ALLOW;
}

/** …and in this segment? */
export function relyingPartyMay(principal: Principal, right: Right, segment: string, purpose?: Purpose): Decision {
  const use = relyingPartyMayUse(principal, right, purpose);
  if (!use.allowed) return use;
  return principal.segments.includes(segment) ? ALLOW : forbid('segment_not_allowed');
}

/**
 * May an administrator or operator act on people (deletion, adjudication), in `segment` if given?
 * Administrators act everywhere; an operator only in its own segments.
 */
export function operatorMay(principal: Principal, segment?: string, segmentRequired = false): Decision {
  if (principal.role === 'admin') return ALLOW;
  if (principal.role !== 'operator') return forbid('role');
  // Some actions (an incident) must name the segment an operator acts in; without one it would reach beyond.
  if (segment === undefined) return segmentRequired ? forbid('segment_required') : ALLOW;
  return principal.segments.includes(segment) ? ALLOW : forbid('segment_not_allowed');
}

/**
 * Has the person agreed to this use, by this party? Grants, expiries, locks and the age rules all decide here
 * (see consent-policy.ts); an unknown or erased person (no state) is refused the same way, so a refusal never
 * tells a relying party that a person exists.
 */
export function consentAllows(state: ConsentState | undefined, use: Use): Decision {
  const verdict = state ? consentFor(state, use) : ({ allowed: false, reason: 'no_consent' } as const);
  return verdict.allowed ? ALLOW : { allowed: false, code: 'consent.missing', reason: verdict.reason };
}

/** Does the person allow any of these uses (one per purpose of the party)? Refused as {@link consentAllows}. */
export function consentAllowsAny(state: ConsentState | undefined, uses: readonly Use[]): Decision {
  let refusal: Decision = { allowed: false, code: 'consent.missing', reason: 'no_consent' };
  for (const use of uses) {
    const decision = consentAllows(state, use);
    if (decision.allowed) return decision;
    refusal = decision;
  }
  return refusal;
}

/** May this principal read the log's full entries? Auditors (their audit credential) and administrators. */
export function auditorMay(principal: Principal): Decision {
  return principal.role === 'auditor' || principal.role === 'admin' ? ALLOW : forbid('role');
}

/**
 * Only administrators manage segments, principals and keys, and read the audit trail (the actions, each
 * refused and audited as itself, are in AccessService.authoriseAdministrator).
 */
export function adminOnly(principal: Principal): Decision {
  return principal.role === 'admin' ? ALLOW : forbid('role');
}

/** The pure rule: oneself, or a minor in one's care (by the segment's age rules); undefined when neither. */
export function citizenMayActFor(
  self: string,
  subjectId: string,
  subject: { birthDate: string | null; rules: AgeRules; guardian: boolean } | undefined,
  now: string,
): 'self' | 'guardian' | undefined {
  if (!subject) return undefined;
  if (subjectId === self) return 'self';
  return subject.guardian && mayActFor('guardian', { birthDate: subject.birthDate, rules: subject.rules }, now)
    ? 'guardian'
    : undefined;
}
