import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { imageBytes } from '../../http/image-body.js';
import { errors, NoContent } from '../../http/schemas.js';
import type { CitizenAccountService } from './citizen-account.service.js';
import type { CitizenRecordsService } from './citizen-records.service.js';
import { citizen, citizenSecurity, sessionOf } from './citizen-request.js';
import type { CitizenSessionsService } from './citizen-sessions.service.js';
import {
  BiometricsErased,
  Closed,
  ContactBody,
  ContactSet,
  Export,
  ForPerson,
  IncidentList,
  Me,
  RelyingPartyDirectory,
  Session,
  SignInBody,
} from './citizen.schemas.js';

const tags = ['citizen'];

interface CitizenServices {
  readonly sessions: CitizenSessionsService;
  readonly account: CitizenAccountService;
  readonly records: CitizenRecordsService;
}

/** Signing in (by face or a one-time code) and out. */
function signInRoutes(app: FastifyInstance, { sessions }: CitizenServices): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/citizen/sessions',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign in as a citizen: citizenId and a live face (1:1, liveness required), or a one-time code',
        body: SignInBody,
        response: {
          201: Session,
          ...errors(400, 413, 415, 422, 429, 503),
        },
      },
    },
    async (req, reply) => {
      const { citizenId, image, code } = req.body;
      const session =
        image !== undefined
          ? await sessions.signInWithFace(req.id, citizenId, imageBytes(image))
          : await sessions.signInWithCode(req.id, citizenId, code!);
      return reply.code(201).send(session);
    },
  );
  r.delete(
    '/v1/citizen/sessions/current',
    {
      config: citizen,
      schema: { tags, summary: 'Sign out', security: citizenSecurity, response: { 204: NoContent, ...errors() } },
    },
    async (req, reply) => {
      await sessions.signOut(sessionOf(req));
      return reply.code(204).send(null);
    },
  );
}

/** Changes to the account: closure, contact details, erasure of the biometrics. */
function accountRoutes(app: FastifyInstance, { account }: CitizenServices): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.delete(
    '/v1/citizen/me',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Close my account (erases biometrics first if still held; ends every session)',
        security: citizenSecurity,
        response: { 200: Closed, ...errors(403) },
      },
    },
    (req) => account.close(sessionOf(req), req.id),
  );
  r.put(
    '/v1/citizen/contact',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Where notices reach me (email and/or phone; stored encrypted)',
        security: citizenSecurity,
        body: ContactBody,
        response: {
          200: ContactSet,
          ...errors(400),
        },
      },
    },
    (req) => account.setContact(sessionOf(req), req.body),
  );
  r.delete(
    '/v1/citizen/biometrics',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Erase my biometrics now: templates removed everywhere and my template key destroyed',
        security: citizenSecurity,
        querystring: ForPerson,
        response: {
          200: BiometricsErased,
          ...errors(403, 409),
        },
      },
    },
    (req) => account.eraseBiometrics(sessionOf(req), req.id, req.query.personId),
  );
}

/** What is held: the record, its export, the incidents, and the directory of relying parties. */
function recordRoutes(app: FastifyInstance, { records }: CitizenServices): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/citizen/me',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'What is held about me (or a minor in my care): record, consents, locks, template metadata',
        security: citizenSecurity,
        querystring: ForPerson,
        response: { 200: Me, ...errors(403) },
      },
    },
    (req) => records.me(sessionOf(req), req.query.personId),
  );
  r.get(
    '/v1/citizen/export',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Download everything held about me as JSON (template metadata, never vectors)',
        security: citizenSecurity,
        querystring: ForPerson,
        response: { 200: Export, ...errors(403) },
      },
    },
    async (req, reply) => {
      const data = await records.export(sessionOf(req), req.id, req.query.personId);
      void reply.header('content-disposition', `attachment; filename="oblik-export-${data.person.citizenId}.json"`);
      return data;
    },
  );
  r.get(
    '/v1/citizen/incidents',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Incidents that touched me: what happened, who is responsible, what was done, whom to contact',
        security: citizenSecurity,
        querystring: ForPerson,
        response: { 200: IncidentList, ...errors(403) },
      },
    },
    async (req) => ({ incidents: await records.incidents(sessionOf(req), req.query.personId) }),
  );
  r.get(
    '/v1/citizen/relying-parties',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'The relying parties a citizen can grant consent to, with their purposes and segments',
        security: citizenSecurity,
        response: {
          200: RelyingPartyDirectory,
          ...errors(),
        },
      },
    },
    async () => ({ relyingParties: await records.relyingParties() }),
  );
}

/** Signing in, the citizen's record, erasure, closure, export, incidents and contact details. */
export function citizenRoutes(app: FastifyInstance, services: CitizenServices): void {
  signInRoutes(app, services);
  accountRoutes(app, services);
  recordRoutes(app, services);
}
