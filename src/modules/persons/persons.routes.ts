import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../../http/call-context.js';
import { errors, Id, security } from '../../http/schemas.js';
import type { PersonsService } from './persons.service.js';

const PersonRecord = z
  .object({
    personId: z.string(),
    segment: z.string(),
    createdAt: z.string(),
    enrolledBy: z.string(),
    consents: z.array(z.object({ purpose: z.string(), source: z.string(), grantedAt: z.string() })),
    templates: z.array(
      z.object({
        templateId: z.string(),
        modelPack: z.string(),
        channel: z.string(),
        enrolledBy: z.string(),
        createdAt: z.string(),
        quality: z.record(z.string(), z.number()),
        liveness: z.number(),
        keyVersion: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'PersonRecord' });

export function personsRoutes(app: FastifyInstance, persons: PersonsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const params = z.object({ personId: Id });
  r.get(
    '/v1/persons/:personId',
    {
      schema: {
        tags: ['persons'],
        summary: "A person's record: consents and template provenance, never vectors (administrator or operator)",
        security,
        params,
        response: { 200: PersonRecord, ...errors(403, 404) },
      },
    },
    async (req) => persons.get(callContext(req), req.params.personId),
  );
  r.delete(
    '/v1/persons/:personId',
    {
      schema: {
        tags: ['persons'],
        summary: "Erase a person's biometrics; gone from the store and the matcher before the response",
        security,
        params,
        response: {
          200: z.object({ personId: z.string(), templatesErased: z.number().int() }),
          ...errors(403, 404),
        },
      },
    },
    async (req) => persons.delete(callContext(req), req.params.personId),
  );
}
