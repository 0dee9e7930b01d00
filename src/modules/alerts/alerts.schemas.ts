import { z } from 'zod';

export const OperatorAlert = z
  .object({
    id: z.string(),
    kind: z.enum(['enrolment.attempts']),
    segment: z.string(),
    relyingPartyId: z.string(),
    detail: z.record(z.string(), z.unknown()).describe('what crossed which threshold, in which window'),
    createdAt: z.string(),
  })
  .meta({ id: 'OperatorAlert' });

export const OperatorAlertList = z.object({ alerts: z.array(OperatorAlert) });

export const OperatorAlertQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
