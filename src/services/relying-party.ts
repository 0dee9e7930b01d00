import { AppError } from '../errors/app-error.js';
import type { CallContext } from './registry.js';

/**
 * The relying party behind a call to a service's routes, which must be registered for the service's purpose;
 * anyone else is `auth.forbidden`. A place it creates (a venue, a school) lies in one of its segments.
 */
export function relyingPartyFor(ctx: CallContext, purpose: string): { id: string; segments: readonly string[] } {
  const p = ctx.principal;
  if (p.role !== 'relying_party' || !p.purposes.includes(purpose)) {
    throw new AppError('auth.forbidden', `only a relying party registered for ${purpose} may do this`, {
      reason: 'purpose_not_registered',
    });
  }
  return { id: p.id, segments: p.segments };
}

/** A new place's segment must be one the party works in. */
export function assertPartySegment(party: { segments: readonly string[] }, segment: string): void {
  if (!party.segments.includes(segment)) {
    throw new AppError('auth.forbidden', `this relying party does not work in segment ${segment}`, {
      reason: 'segment_not_allowed',
    });
  }
}
