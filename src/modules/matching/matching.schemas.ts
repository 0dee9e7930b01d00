import { z } from 'zod';
import { Id, ImageField, Purpose, SegmentId } from '../../http/schemas.js';

export const VerificationBody = z.object({ personId: Id, image: ImageField, purpose: Purpose });

export const Verification = z
  .object({ match: z.boolean(), score: z.number(), threshold: z.number() })
  .meta({ id: 'Verification' });

export const IdentificationBody = z.object({
  image: ImageField,
  purpose: Purpose,
  segment: SegmentId.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const Identification = z
  .object({
    candidates: z.array(z.object({ personId: z.string(), score: z.number() })),
    threshold: z.number(),
  })
  .meta({ id: 'Identification' });
