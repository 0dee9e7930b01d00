import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { errors, NoContent, security } from '../../http/schemas.js';
import type { CitizenSignInService } from '../citizen/citizen-sign-in.service.js';
import {
  Erased,
  Guardianship,
  GuardianshipParams,
  NewGuardian,
  PersonParams,
  PersonRecord,
  SignInCode,
} from './persons.schemas.js';
import type { PersonsService } from './persons.service.js';

export function personsRoutes(app: FastifyInstance, persons: PersonsService, signIn: CitizenSignInService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/persons/:personId',
    {
      schema: {
        tags: ['persons'],
        summary: "A person's record: consents and template provenance, never vectors (administrator or operator)",
        security,
        params: PersonParams,
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
        params: PersonParams,
        response: {
          200: Erased,
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
        params: PersonParams,
        body: NewGuardian,
        response: { 201: Guardianship, ...errors(400, 403, 404, 409) },
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
        params: GuardianshipParams,
        response: { 204: NoContent, ...errors(403, 404) },
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
        summary:
          "Send a one-time sign-in code to a citizen's verified contact, for one who cannot use their face " +
          '(administrator or operator); the caller never sees the code',
        description:
          'The session the code opens needs a step-up (`citizen.step_up_required`) before it creates grants, ' +
          'unlocks or changes the contact. Who asked is recorded in the citizen history.',
        security,
        params: PersonParams,
        response: { 201: SignInCode, ...errors(403, 404, 409, 503) },
      },
    },
    async (req, reply) => reply.code(201).send(await signIn.issueCode(callContext(req), req.params.personId)),
  );
}
