import { z } from 'zod';

export const Healthy = z.object({
  status: z.literal('ok'),
  store: z.string(),
  modelPack: z.string(),
  templates: z.number().int(),
  uptimeSeconds: z.number(),
});

export const Unavailable = z.object({ status: z.literal('unavailable'), store: z.string(), reason: z.string() });
