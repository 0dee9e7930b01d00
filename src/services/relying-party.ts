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

/** A place a party keeps (a venue, a school) as its table stores it. */
export interface PlaceRow {
  readonly id: string;
  readonly relying_party_id: string;
  readonly name: string;
  readonly segment_id: string;
  readonly created_at: string;
}

/** A new place of the calling party, in one of its segments. */
export function newPlace(
  ctx: CallContext,
  purpose: string,
  input: { name: string; segment: string },
  id: string,
  at: string,
): PlaceRow {
  const party = relyingPartyFor(ctx, purpose);
  assertPartySegment(party, input.segment);
  return { id, relying_party_id: party.id, name: input.name, segment_id: input.segment, created_at: at };
}

/** The calling party's own place; another party's is as unknown as one that does not exist (`notFound`). */
export function ownPlace<T extends Pick<PlaceRow, 'relying_party_id'>>(
  ctx: CallContext,
  purpose: string,
  place: T | undefined,
  notFound: () => AppError,
): T {
  const party = relyingPartyFor(ctx, purpose);
  if (!place || place.relying_party_id !== party.id) throw notFound();
  return place;
}
