import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../../http/call-context.js';
import { errors, Id, security } from '../../http/schemas.js';
import type { CitizenSessionsService } from '../citizen/citizen-sessions.service.js';
import { Me } from '../citizen/citizen.schemas.js';
import type { PersonsService } from './persons.service.js';

const PersonRecord = Me.omit({ contact: true, session: true })
  .extend({ personId: z.string().describe('the same as citizenId (the name operators used before citizen accounts)') })
  .describe('what an operator sees of a person: metadata, consents, locks, guardians; never a template vector')
  .meta({ id: 'PersonRecord' });

export function personsRoutes(app: FastifyInstance, persons: PersonsService, sessions: CitizenSessionsService): void {
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
  r.post(
    '/v1/persons/:personId/guardians',
    {
      schema: {
        tags: ['persons'],
        summary: 'Record a guardian of a minor, from documents the operator checked (administrator or operator)',
        security,
        params,
        body: z.object({ guardianId: Id.describe("the guardian's citizenId") }),
        response: { 201: z.object({ personId: z.string(), guardianId: z.string() }), ...errors(400, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await persons.addGuardian(callContext(req), req.params.personId, req.body.guardianId);
      return reply.code(201).send({ personId: req.params.personId, guardianId: req.body.guardianId });
    },
  );
  r.delete(
    '/v1/persons/:personId/guardians/:guardianId',
    {
      schema: {
        tags: ['persons'],
        summary: 'End a guardianship (administrator or operator)',
        security,
        params: z.object({ personId: Id, guardianId: Id }),
        response: { 204: z.null(), ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      await persons.removeGuardian(callContext(req), req.params.personId, req.params.guardianId);
      return reply.code(204).send(null);
    },
  );
  r.post(
    '/v1/persons/:personId/sign-in-codes',
    {
      schema: {
        tags: ['citizen'],
        summary: 'Issue a one-time sign-in code for a citizen who cannot use their face (administrator or operator)',
        security,
        params,
        response: { 201: z.object({ code: z.string(), expiresAt: z.string() }), ...errors(403, 404) },
      },
    },
    async (req, reply) => reply.code(201).send(await sessions.issueCode(callContext(req), req.params.personId)),
  );
}
