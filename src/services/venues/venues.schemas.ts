import { z } from 'zod';
import { Id, ImageField, SegmentId } from '../../http/schemas.js';

const Instant = z.iso.datetime({ offset: true });
/** A device's own id for one event (a door's read, a till's sale): the key that makes a retry answer the same. */
export const EventId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'visible ASCII');

export const NewVenue = z.object({ name: z.string().min(1).max(200), segment: SegmentId });
export const Created = z.object({ id: z.string() });
export const VenueParams = z.object({ id: Id });
export const AccessParams = z.object({ id: Id, accessId: Id });

export const NewAccess = z.object({
  personId: Id.describe("the person, by this party's pseudonym; they must have granted it venue_access"),
  kind: z.enum(['staff', 'visitor']),
  validFrom: Instant.optional(),
  validTo: Instant.optional().describe('required for a visitor'),
  uses: z.number().int().min(1).max(10_000).optional().describe('entries allowed; required for a visitor'),
});

export const EntryAttempt = z.object({
  eventId: EventId,
  doorId: z.string().min(1).max(128),
  image: ImageField.describe('the face at the door (liveness as the party requires)'),
});

const EntryFields = {
  eventId: z.string(),
  decision: z.enum(['open', 'refuse']),
  reason: z
    .enum(['not_recognised', 'not_allowed'])
    .optional()
    .describe('not_recognised: no pass holder matched; not_allowed: outside the window or the uses spent'),
  personId: z.string().optional().describe("the pass holder recognised, by this party's pseudonym"),
};
export const Entry = z.object(EntryFields).meta({ id: 'VenueEntry' });

export const EntryList = z.object({
  items: z.array(z.object({ ...EntryFields, doorId: z.string(), at: z.string() })),
});
export const EntryListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
