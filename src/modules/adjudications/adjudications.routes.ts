import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../../http/call-context.js';
import { errors, Id, security } from '../../http/schemas.js';
import type { AdjudicationsService } from './adjudications.service.js';

const Status = z.enum(['open', 'same_person', 'different_people']);
const Adjudication = z
  .object({
    id: z.string(),
    segment: z.string(),
    candidatePersonId: z.string(),
    score: z.number(),
    channel: z.string(),
    requestedBy: z.string(),
    status: Status,
    note: z.string().nullable(),
    createdAt: z.string(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    enrolledPersonId: z.string().nullable().describe('who the face was enrolled as after a different_people ruling'),
  })
  .meta({ id: 'Adjudication' });

export function adjudicationsRoutes(app: FastifyInstance, adjudications: AdjudicationsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/adjudications',
    {
      schema: {
        tags: ['adjudications'],
        summary: "Duplicate-enrolment cases of the caller's segments (administrator or operator)",
        security,
        querystring: z.object({
          status: Status.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ adjudications: z.array(Adjudication) }), ...errors(400, 403) },
      },
    },
    async (req) => ({
      adjudications: await adjudications.list(callContext(req), req.query.status, req.query.limit),
    }),
  );
  r.post(
    '/v1/adjudications/:id/resolution',
    {
      schema: {
        tags: ['adjudications'],
        summary: 'Resolve a case: the same person (fraud or a mistaken re-enrolment) or different people',
        security,
        params: z.object({ id: Id }),
        body: z.object({
          decision: z.enum(['same_person', 'different_people']),
          note: z.string().max(2000).optional(),
        }),
        response: { 200: Adjudication, ...errors(400, 403, 404, 409) },
      },
    },
    async (req) => adjudications.resolve(callContext(req), req.params.id, req.body),
  );
}
