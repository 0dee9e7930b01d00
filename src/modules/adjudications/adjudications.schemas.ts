import { z } from 'zod';
import { Id } from '../../http/schemas.js';

export const AdjudicationStatus = z.enum(['open', 'same_person', 'different_people']);

export const Adjudication = z
  .object({
    id: z.string(),
    segment: z.string(),
    candidatePersonId: z.string(),
    score: z.number(),
    channel: z.string(),
    requestedBy: z.string(),
    status: AdjudicationStatus,
    note: z.string().nullable(),
    createdAt: z.string(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    enrolledPersonId: z.string().nullable().describe('who the face was enrolled as after a different_people ruling'),
  })
  .meta({ id: 'Adjudication' });

export const AdjudicationList = z.object({ adjudications: z.array(Adjudication) });

export const AdjudicationQuery = z.object({
  status: AdjudicationStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const AdjudicationParams = z.object({ id: Id });

export const Resolution = z.object({
  decision: z.enum(['same_person', 'different_people']),
  note: z.string().max(2000).optional(),
});
