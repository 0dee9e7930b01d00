import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { errors, security } from '../../http/schemas.js';
import { IncidentOpened, NewIncidentBody } from './incidents.schemas.js';
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
        body: NewIncidentBody,
        response: {
          201: IncidentOpened,
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
