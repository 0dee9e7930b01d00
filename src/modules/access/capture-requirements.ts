import type { Principal } from './principal.js';

/**
 * What a capture must pass, by use. Enrolment enforces the quality gate: a poor template would weaken every
 * later match of that person. A probe is only compared, so a poor one just scores low. Liveness is always
 * measured and recorded; it refuses captures when the deployment or the relying party requires it.
 */
export function captureRequirements(
  use: 'enrolment' | 'probe',
  principal: Principal,
  settings: { readonly requireLiveness: boolean },
): { enforceQuality: boolean; requireLiveness: boolean } {
  return {
    enforceQuality: use === 'enrolment',
    requireLiveness: settings.requireLiveness || principal.requireLiveness,
  };
}
