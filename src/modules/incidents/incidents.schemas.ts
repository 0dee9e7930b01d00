import { z } from 'zod';
import { Id, SegmentId } from '../../http/schemas.js';

export const NewIncidentBody = z.object({
  responsible: z.object({ kind: z.enum(['operator', 'relying_party']), id: Id }),
  scope: z.object({
    segmentId: SegmentId.optional(),
    relyingPartyId: Id.optional(),
    from: z.iso.datetime().optional(),
    to: z.iso.datetime().optional(),
  }),
  description: z.string().min(1).max(4000),
  contact: z.string().min(1).max(500),
  rekey: z.boolean().default(true),
  revokeCredentials: z.boolean().default(false),
});

export const IncidentOpened = z.object({
  id: z.string(),
  affectedCitizens: z.number().int(),
  notificationsQueued: z.number().int(),
  notificationsSent: z.number().int(),
  rekeyed: z.array(
    z.object({
      segment: z.string(),
      relyingPartyId: z.string().nullable().describe("null: the segment's own view"),
      transformVersion: z.number().int(),
      templatesMoved: z.number().int(),
    }),
  ),
  credentialsRevoked: z.boolean(),
});
