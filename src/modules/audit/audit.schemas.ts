import { z } from 'zod';

export const AuditEvent = z
  .object({
    seq: z.number().int(),
    id: z.string(),
    at: z.string(),
    actorId: z.string(),
    actorRole: z.string(),
    action: z.string(),
    purpose: z.string().nullable(),
    segmentId: z.string().nullable(),
    personId: z.string().nullable(),
    templateId: z.string().nullable(),
    result: z.string(),
    score: z.number().nullable(),
    requestId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEvent' });

export const AuditEventList = z.object({ events: z.array(AuditEvent) });

export const AuditQuery = z.object({
  personId: z.string().optional(),
  actorId: z.string().optional(),
  action: z.string().optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
