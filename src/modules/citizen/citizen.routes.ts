import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { imageBytes } from '../../http/image-body.js';
import { errors, Id, ImageField, Purpose } from '../../http/schemas.js';
import type { CitizenAccountService } from './citizen-account.service.js';
import type { CitizenConsentsService } from './citizen-consents.service.js';
import type { CitizenSession, CitizenSessions } from './citizen-sessions.js';
import { Consent, ForPerson, Incident, Lock, Me, Receipt, TreeHead, UsageItem } from './citizen.schemas.js';
import type { UsageService } from './usage.service.js';

const citizenSecurity = [{ citizenSession: [] }];
const citizen = { citizen: true } as const;

function sessionOf(req: FastifyRequest): CitizenSession {
  if (!req.citizen) throw new AppError('citizen.session_invalid', 'sign in first');
  return req.citizen;
}

export function citizenRoutes(
  app: FastifyInstance,
  services: {
    sessions: CitizenSessions;
    consents: CitizenConsentsService;
    account: CitizenAccountService;
    usage: UsageService;
  },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { sessions, consents, account, usage } = services;
  const tags = ['citizen'];

  r.post(
    '/v1/citizen/sessions',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign in as a citizen: citizenId and a live face (1:1, liveness required), or a one-time code',
        body: z
          .object({ citizenId: Id, image: ImageField.optional(), code: z.string().min(8).max(64).optional() })
          .refine((b) => (b.image === undefined) !== (b.code === undefined), 'send exactly one of image and code'),
        response: {
          201: z.object({
            token: z.string(),
            expiresAt: z.string(),
            citizenId: z.string(),
            method: z.enum(['face', 'code']),
          }),
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
      schema: { tags, summary: 'Sign out', security: citizenSecurity, response: { 204: z.null(), ...errors() } },
    },
    async (req, reply) => {
      await sessions.signOut(sessionOf(req));
      return reply.code(204).send(null);
    },
  );
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
    (req) => account.me(sessionOf(req), req.query.personId),
  );
  r.delete(
    '/v1/citizen/me',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Close my account (erases biometrics first if still held; ends every session)',
        security: citizenSecurity,
        response: { 200: z.object({ citizenId: z.string(), closedAt: z.string() }), ...errors(403) },
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
        body: z.object({
          email: z.email().optional(),
          phone: z
            .string()
            .regex(/^\+[1-9][0-9]{6,14}$/)
            .optional(),
        }),
        response: {
          200: z.object({ contact: z.object({ email: z.string().optional(), phone: z.string().optional() }) }),
          ...errors(400),
        },
      },
    },
    (req) => account.setContact(sessionOf(req), req.body),
  );

  r.get(
    '/v1/citizen/consents',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'My consents (with their history), or a minor’s in my care',
        security: citizenSecurity,
        querystring: ForPerson,
        response: { 200: z.object({ consents: z.array(Consent) }), ...errors(403) },
      },
    },
    async (req) => ({ consents: await consents.list(sessionOf(req), req.query.personId) }),
  );
  r.post(
    '/v1/citizen/consents',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Grant a relying party one purpose (guardians: for a minor, with personId)',
        security: citizenSecurity,
        body: z.object({
          relyingPartyId: Id,
          purpose: Purpose,
          expiresAt: z.iso.datetime().optional(),
          scope: z.enum(['segment', 'all']).default('segment').describe('`all`: also from the party’s other segments'),
          personId: Id.optional().describe("a minor's citizenId, for their guardian"),
        }),
        response: {
          201: z.object({ id: z.string(), consent: Consent, receipt: Receipt }),
          ...errors(400, 403, 404, 409, 422),
        },
      },
    },
    async (req, reply) => {
      const { expiresAt, personId, ...rest } = req.body;
      const granted = await consents.grant(sessionOf(req), req.id, {
        ...rest,
        ...(expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
        ...(personId ? { personId } : {}),
      });
      return reply.code(201).send(granted);
    },
  );
  r.delete(
    '/v1/citizen/consents/:id',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Revoke a consent: the next request of that party no longer sees me',
        security: citizenSecurity,
        params: z.object({ id: Id }),
        response: { 200: z.object({ id: z.string(), consent: Consent, receipt: Receipt }), ...errors(404) },
      },
    },
    (req) => consents.revoke(sessionOf(req), req.id, req.params.id),
  );

  r.get(
    '/v1/citizen/locks',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'My locks',
        security: citizenSecurity,
        querystring: ForPerson,
        response: { 200: z.object({ locks: z.array(Lock) }), ...errors(403) },
      },
    },
    async (req) => ({ locks: await consents.locks(sessionOf(req), req.query.personId) }),
  );
  r.post(
    '/v1/citizen/locks',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Lock all biometric use, or one purpose: matches then behave as without consent',
        security: citizenSecurity,
        body: z.object({ purpose: Purpose.optional(), personId: Id.optional() }),
        response: { 201: Lock.extend({ receipt: Receipt }), ...errors(400, 403) },
      },
    },
    async (req, reply) => reply.code(201).send(await consents.lock(sessionOf(req), req.id, req.body)),
  );
  r.delete(
    '/v1/citizen/locks/:id',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Remove a lock, or with ?minutes=N unlock it only for N minutes (it holds again after)',
        security: citizenSecurity,
        params: z.object({ id: Id }),
        querystring: z.object({
          minutes: z.coerce
            .number()
            .int()
            .min(1)
            .max(24 * 60)
            .optional(),
        }),
        response: { 200: Lock.extend({ receipt: Receipt }), ...errors(404) },
      },
    },
    (req) => consents.unlock(sessionOf(req), req.id, req.params.id, req.query.minutes),
  );
  r.post(
    '/v1/citizen/locks/:id/unlock',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Temporarily unlock a lock for a number of minutes',
        security: citizenSecurity,
        params: z.object({ id: Id }),
        body: z.object({
          minutes: z
            .number()
            .int()
            .min(1)
            .max(24 * 60),
        }),
        response: { 200: Lock.extend({ receipt: Receipt }), ...errors(400, 404) },
      },
    },
    (req) => consents.unlock(sessionOf(req), req.id, req.params.id, req.body.minutes),
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
          200: z.object({
            citizenId: z.string(),
            templatesErased: z.number().int(),
            grantsRevoked: z.number().int(),
            erasedAt: z.string(),
          }),
          ...errors(403, 409),
        },
      },
    },
    (req) => account.eraseBiometrics(sessionOf(req), req.id, req.query.personId),
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
        response: { 200: z.record(z.string(), z.unknown()), ...errors(403) },
      },
    },
    async (req, reply) => {
      const data = await account.export(sessionOf(req), req.id, req.query.personId);
      void reply.header('content-disposition', `attachment; filename="oblik-export-${data.person.citizenId}.json"`);
      return data;
    },
  );
  r.get(
    '/v1/citizen/usage',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Every use of my biometrics, newest first, each with its transparency-log leaf and inclusion proof',
        security: citizenSecurity,
        querystring: ForPerson.extend({
          action: z.string().max(64).optional(),
          purpose: Purpose.optional(),
          relyingPartyId: Id.optional(),
          result: z.string().max(64).optional(),
          from: z.iso.datetime().optional(),
          to: z.iso.datetime().optional(),
          cursor: z.string().regex(/^\d+$/).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({ items: z.array(UsageItem), treeHead: TreeHead.nullable(), next: z.string().nullable() }),
          ...errors(400, 403),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const subject = await account.subjectId(sessionOf(req), q.personId);
      return usage.history(
        subject,
        {
          action: q.action,
          purpose: q.purpose,
          actorId: q.relyingPartyId,
          result: q.result,
          from: q.from && new Date(q.from).toISOString(),
          to: q.to && new Date(q.to).toISOString(),
          before: q.cursor === undefined ? undefined : Number(q.cursor),
        },
        q.limit,
      );
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
        response: { 200: z.object({ incidents: z.array(Incident) }), ...errors(403) },
      },
    },
    async (req) => ({ incidents: await account.incidents(sessionOf(req), req.query.personId) }),
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
          200: z.object({
            relyingParties: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                purposes: z.array(z.string()),
                segments: z.array(z.string()),
              }),
            ),
          }),
          ...errors(),
        },
      },
    },
    async () => ({ relyingParties: await account.relyingParties() }),
  );
}
