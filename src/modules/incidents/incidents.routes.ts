import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../../http/call-context.js';
import { errors, Id, security, SegmentId } from '../../http/schemas.js';
import type { IncidentsService } from './incidents.service.js';

export function incidentsRoutes(app: FastifyInstance, incidents: IncidentsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Record a leak incident; re-key, revoke and notify every affected citizen (operator)',
        description:
          'Affected citizens: those of `scope.segmentId` and/or those whose biometrics `scope.relyingPartyId` used, ' +
          'within `from`–`to` when given. Each is notified once through the outbox.',
        security,
        body: z.object({
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
        }),
        response: {
          201: z.object({
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
          }),
          ...errors(400, 403, 404, 409, 422),
        },
      },
    },
    async (req, reply) => {
      const { scope, ...rest } = req.body;
      const iso = (v: string | undefined) => (v === undefined ? undefined : new Date(v).toISOString());
      const result = await incidents.open(callContext(req), {
        ...rest,
        scope: { ...scope, from: iso(scope.from), to: iso(scope.to) },
      });
      return reply.code(201).send(result);
    },
  );
}
