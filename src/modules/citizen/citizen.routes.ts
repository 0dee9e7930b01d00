import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { imageBytes } from '../../http/image-body.js';
import { errors, NoContent } from '../../http/schemas.js';
import type { CitizenAccountService } from './citizen-account.service.js';
import type { CitizenRecordsService } from './citizen-records.service.js';
import { citizen, citizenSecurity, sessionOf } from './citizen-request.js';
import type { CitizenSessionsService } from './citizen-sessions.service.js';
import type { CitizenSignInService } from './citizen-sign-in.service.js';
import type { ContactChanges } from './contact-changes.service.js';
import {
  BiometricsErased,
  Closed,
  ContactBody,
  ContactChangeRequested,
  ContactConfirmation,
  CodeSent,
  ContactSet,
  Export,
  ForPerson,
  IncidentList,
  Me,
  RelyingPartyDirectory,
  SecondFactorBody,
  Session,
  SignInBody,
  SignInChallenge,
  SignInTokenBody,
  SteppedUp,
  StepUpBody,
} from './citizen.schemas.js';

const tags = ['citizen'];

interface CitizenServices {
  readonly sessions: CitizenSessionsService;
  readonly signIn: CitizenSignInService;
  readonly contactChanges: ContactChanges;
  readonly account: CitizenAccountService;
  readonly records: CitizenRecordsService;
}

/** Signing in (a face, then a code sent to the citizen's contact; or an operator-requested code) and out. */
function signInRoutes(app: FastifyInstance, { sessions, signIn }: CitizenServices): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/citizen/sessions',
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          'Sign in as a citizen: citizenId and a live face (1:1, liveness required) start a sign-in that a second ' +
          'factor completes (202); or an operator-requested code opens a session that needs a step-up (201)',
        body: SignInBody,
        response: {
          201: Session,
          202: SignInChallenge,
          ...errors(400, 401, 413, 415, 422, 429, 503),
        },
      },
    },
    async (req, reply) => {
      const { citizenId, image, code } = req.body;
      return image !== undefined
        ? reply.code(202).send(await signIn.withFace(req.id, req.ip, citizenId, imageBytes(image)))
        : reply.code(201).send(await signIn.withCode(req.id, req.ip, citizenId, code!));
    },
  );
  r.post(
    '/v1/citizen/sessions/second-factor/code',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "Send the second factor's one-time code to the citizen's contact (a few per sign-in)",
        body: SignInTokenBody,
        response: { 202: CodeSent, ...errors(400, 401, 409, 429, 503) },
      },
    },
    async (req, reply) => reply.code(202).send(await signIn.sendCode(req.id, req.body.signInToken)),
  );
  r.post(
    '/v1/citizen/sessions/second-factor',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Complete a sign-in with its second factor (the code sent): answers the session',
        body: SecondFactorBody,
        response: { 201: Session, ...errors(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const { signInToken, code } = req.body;
      return reply.code(201).send(await signIn.completeWithCode(req.id, req.ip, signInToken, code));
    },
  );
  r.post(
    '/v1/citizen/sessions/current/step-up',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Show a second factor (a live face) in a session opened by a code, so it may change grants',
        security: citizenSecurity,
        body: StepUpBody,
        response: { 200: SteppedUp, ...errors(400, 401, 409, 413, 415, 422, 429, 503) },
      },
    },
    (req) => sessions.stepUp(sessionOf(req), req.id, req.ip, imageBytes(req.body.image)),
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
function accountRoutes(app: FastifyInstance, { account, contactChanges }: CitizenServices): void {
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
        summary:
          'Change where my codes and notices go (email and/or phone; stored encrypted): a code goes to the new ' +
          'contact (the phone if given), and the change holds once it is confirmed. Needs a two-factor session',
        security: citizenSecurity,
        body: ContactBody,
        response: {
          202: ContactChangeRequested,
          ...errors(400, 403, 503),
        },
      },
    },
    async (req, reply) => reply.code(202).send(await contactChanges.request(sessionOf(req), req.id, req.body)),
  );
  r.post(
    '/v1/citizen/contact/confirmation',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Confirm a contact change with the code sent to the new contact (the old one is told)',
        security: citizenSecurity,
        body: ContactConfirmation,
        response: { 200: ContactSet, ...errors(400, 401, 403, 429) },
      },
    },
    (req) => contactChanges.confirm(sessionOf(req), req.id, req.ip, req.body.confirmationToken, req.body.code),
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
