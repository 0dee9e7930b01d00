import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { errors, security } from '../../http/schemas.js';
import {
  Adjudication,
  AdjudicationList,
  AdjudicationParams,
  AdjudicationQuery,
  Resolution,
} from './adjudications.schemas.js';
import type { AdjudicationsService } from './adjudications.service.js';

export function adjudicationsRoutes(app: FastifyInstance, adjudications: AdjudicationsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/adjudications',
    {
      schema: {
        tags: ['adjudications'],
        summary: "Duplicate-enrolment cases of the caller's segments (administrator or operator)",
        security,
        querystring: AdjudicationQuery,
        response: { 200: AdjudicationList, ...errors(400, 403) },
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
        params: AdjudicationParams,
        body: Resolution,
        response: { 200: Adjudication, ...errors(400, 403, 404, 409) },
      },
    },
    async (req) => adjudications.resolve(callContext(req), req.params.id, req.body),
  );
}
