import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { errors, security } from '../../http/schemas.js';
import { AuditEventList, AuditQuery } from './audit.schemas.js';
import type { AuditReader } from './audit-reader.js';

export function auditRoutes(app: FastifyInstance, audit: AuditReader): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/audit-events',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit trail, oldest first, paged by sequence number (administrator)',
        security,
        querystring: AuditQuery,
        response: { 200: AuditEventList, ...errors(400, 403) },
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
