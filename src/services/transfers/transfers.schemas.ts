import { z } from 'zod';

export const TransferParams = z.object({ id: z.string().min(3).max(64) });

export const TransferAccepted = z.object({ transferId: z.string() }).meta({ id: 'TransferAccepted' });

export const TransferProgress = z
  .object({
    transferId: z.string(),
    status: z.enum(['queued', 'processing', 'done']),
    total: z.number().int(),
    processed: z.number().int(),
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    ratePerSecond: z.number(),
    etaSeconds: z.number().int().nullable().describe('null until a rate is known'),
  })
  .meta({ id: 'TransferProgress' });
