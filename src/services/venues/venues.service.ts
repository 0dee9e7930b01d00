import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import { idempotentCall, type CallContext, type RegistryServices } from '../registry.js';
import { newPlace, ownPlace } from '../relying-party.js';
import { passFault, passOpens } from './venue-pass.js';
import type { VenueAccessRow, VenueEntryRow, VenuesRepository } from './venues.repository.js';

/** The purpose every venue's party is registered for and every pass holder consents to. */
export const VENUE_PURPOSE = 'venue_access';

export interface NewPass {
  readonly personId: string;
  readonly kind: 'staff' | 'visitor';
  readonly validFrom?: string | undefined;
  readonly validTo?: string | undefined;
  readonly uses?: number | undefined;
}

export interface Entry {
  readonly eventId: string;
  readonly decision: 'open' | 'refuse';
  readonly reason?: 'not_recognised' | 'not_allowed';
  readonly personId?: string;
}

/**
 * Venue and office entry (issue 12): a party's venues, the passes of the people it lets in, and each face at
 * a door, identified by the registry among that venue's pass holders only (a group gallery, with the group's
 * threshold). The entry row commits with the registry's audit record of the identification (which is the
 * person's usage history), and the door's `eventId` makes a retried event answer the same.
 */
export class VenuesService {
  constructor(
    private readonly registry: Pick<RegistryServices, 'matching'>,
    private readonly venues: VenuesRepository,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  async create(ctx: CallContext, input: { name: string; segment: string }): Promise<{ id: string }> {
    const place = newPlace(ctx, VENUE_PURPOSE, input, this.ids.next('ven'), isoNow(this.clock));
    await this.venues.insertVenue(place);
    return { id: place.id };
  }

  /** A pass for a person who consented to this party's `venue_access` (else `consent.missing`). */
  async grant(ctx: CallContext, venueId: string, pass: NewPass): Promise<{ id: string }> {
    await this.own(ctx, venueId);
    const rule = { kind: pass.kind, validFrom: utc(pass.validFrom), validTo: utc(pass.validTo) };
    const fault = passFault({ ...rule, uses: pass.uses ?? null });
    if (fault) throw new AppError('venue.window_invalid', fault);
    await this.registry.matching.admitMember(ctx, pass.personId, VENUE_PURPOSE);
    const id = this.ids.next('vac');
    await this.venues.insertAccess({
      id,
      venue_id: venueId,
      person_ref: pass.personId,
      ...{ kind: rule.kind, valid_from: rule.validFrom, valid_to: rule.validTo, uses: pass.uses ?? null },
      created_at: isoNow(this.clock),
      revoked_at: null,
    });
    return { id };
  }

  async revoke(ctx: CallContext, venueId: string, accessId: string): Promise<void> {
    await this.own(ctx, venueId);
    if (!(await this.venues.revokeAccess(venueId, accessId, isoNow(this.clock)))) {
      throw new AppError('venue.access_not_found', `no pass ${accessId} in force at this venue`, { accessId });
    }
  }

  /** A face at a door: open for a pass holder whose pass is in force, else refuse (never which pass failed). */
  async enter(ctx: CallContext, venueId: string, input: { eventId: string; doorId: string; image: Uint8Array }) {
    const venue = await this.own(ctx, venueId);
    const { eventId, doorId } = input;
    const call = idempotentCall(ctx, `venue-entry:${venueId}:${eventId}`, { venueId, eventId, doorId });
    const group = await this.venues.members(venueId);
    const request = { image: input.image, purpose: VENUE_PURPOSE, segment: venue.segment_id, group, limit: 1 };
    return this.registry.matching.identify(call, request, async (tx, found): Promise<Entry> => {
      const at = isoNow(this.clock);
      const personId = found.candidates[0]?.personId;
      let pass: VenueAccessRow | undefined;
      if (personId !== undefined) {
        const usable = (await this.venues.passesOf(tx, venueId, personId)).filter((p) => passOpens(passOf(p), at));
        for (const candidate of usable) {
          if (await this.venues.spendUse(tx, candidate.id)) {
            pass = candidate;
            break;
          }
        }
      }
      const reason = personId === undefined ? 'not_recognised' : pass ? undefined : 'not_allowed';
      const entry: VenueEntryRow = {
        ...{ venue_id: venueId, event_id: eventId, door_id: doorId, decision: reason ? 'refuse' : 'open' },
        ...{ reason: reason ?? null, person_ref: personId ?? null, access_id: pass?.id ?? null, at },
      };
      await this.venues.insertEntry(tx, entry);
      return entryView(entry);
    });
  }

  async entries(ctx: CallContext, venueId: string, limit: number) {
    await this.own(ctx, venueId);
    const rows = await this.venues.entries(venueId, limit);
    return { items: rows.map((r) => ({ ...entryView(r), doorId: r.door_id, at: r.at })) };
  }

  /** The party's own venue; another party's is as unknown as one that does not exist. */
  private async own(ctx: CallContext, venueId: string) {
    return ownPlace(
      ctx,
      VENUE_PURPOSE,
      await this.venues.venue(venueId),
      () => new AppError('venue.not_found', `no venue ${venueId}`, { venueId }),
    );
  }
}

/** An instant with any offset as the UTC text the store compares. */
function utc(instant: string | undefined): string | null {
  return instant === undefined ? null : new Date(instant).toISOString();
}

function passOf(row: VenueAccessRow) {
  return {
    kind: row.kind,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    uses: row.uses === null ? null : Number(row.uses),
    usesSpent: Number(row.uses_spent),
    revokedAt: row.revoked_at,
  };
}

function entryView(row: VenueEntryRow): Entry {
  return {
    eventId: row.event_id,
    decision: row.decision,
    ...(row.reason ? { reason: row.reason as 'not_recognised' | 'not_allowed' } : {}),
    ...(row.person_ref ? { personId: row.person_ref } : {}),
  };
}
