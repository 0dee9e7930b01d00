import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../../http/call-context.js';
import { errors, security } from '../../http/schemas.js';
import type { AuditService } from './audit.service.js';

const AuditEvent = z
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

export function auditRoutes(app: FastifyInstance, audit: AuditService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/audit-events',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit trail, oldest first, paged by sequence number (administrator)',
        security,
        querystring: z.object({
          personId: z.string().optional(),
          actorId: z.string().optional(),
          action: z.string().optional(),
          after: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ events: z.array(AuditEvent) }), ...errors(400, 403) },
      },
    },
    async (req) => {
      const { after, limit, ...filter } = req.query;
      return {
        events: await audit.list(
          callContext(req),
          {
            ...(filter.personId ? { personId: filter.personId } : {}),
            ...(filter.actorId ? { actorId: filter.actorId } : {}),
            ...(filter.action ? { action: filter.action } : {}),
            ...(after !== undefined ? { afterSeq: after } : {}),
          },
          limit,
        ),
      };
    },
  );
}
