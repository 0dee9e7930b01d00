import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errors } from '../../http/schemas.js';
import type { CitizenConsentsService } from './citizen-consents.service.js';
import { citizen, citizenCall, citizenSecurity, sessionOf } from './citizen-request.js';
import {
  ConsentChange,
  ConsentList,
  ConsentParams,
  GrantBody,
  LockBody,
  LockChange,
  LockList,
  LockParams,
  UnlockBody,
  UnlockQuery,
  UsagePage,
  UsageQuery,
} from './citizen-consents.schemas.js';
import { ForPerson } from './citizen.schemas.js';
import type { CitizenRecordsService } from './citizen-records.service.js';

const tags = ['citizen'];

interface ConsentServices {
  readonly consents: CitizenConsentsService;
  readonly records: CitizenRecordsService;
}

/** Consents per relying party and purpose, granted and revoked by the citizen or a guardian. */
function consentRoutes(app: FastifyInstance, { consents }: ConsentServices): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/citizen/consents',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'My consents (with their history), or a minor’s in my care',
        security: citizenSecurity,
        querystring: ForPerson,
        response: { 200: ConsentList, ...errors(403) },
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
        body: GrantBody,
        response: {
          201: ConsentChange,
          ...errors(400, 403, 404, 409, 422),
        },
      },
    },
    async (req, reply) => {
      const { expiresAt, personId, ...rest } = req.body;
      const granted = await consents.grant(citizenCall(req), {
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
        params: ConsentParams,
        response: { 200: ConsentChange, ...errors(404) },
      },
    },
    (req) => consents.revoke(citizenCall(req), req.params.id),
  );
}

/** Locks on all biometric use or on one purpose, and temporary unlocks. */
function lockRoutes(app: FastifyInstance, { consents }: ConsentServices): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/citizen/locks',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'My locks',
        security: citizenSecurity,
        querystring: ForPerson,
        response: { 200: LockList, ...errors(403) },
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
        body: LockBody,
        response: { 201: LockChange, ...errors(400, 403) },
      },
    },
    async (req, reply) => reply.code(201).send(await consents.lock(citizenCall(req), req.body)),
  );
  r.delete(
    '/v1/citizen/locks/:id',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Remove a lock, or with ?minutes=N unlock it only for N minutes (it holds again after)',
        security: citizenSecurity,
        params: LockParams,
        querystring: UnlockQuery,
        response: { 200: LockChange, ...errors(403, 404) },
      },
    },
    (req) => consents.unlock(citizenCall(req), req.params.id, req.query.minutes),
  );
  r.post(
    '/v1/citizen/locks/:id/unlock',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Temporarily unlock a lock for a number of minutes',
        security: citizenSecurity,
        params: LockParams,
        body: UnlockBody,
        response: { 200: LockChange, ...errors(400, 403, 404) },
      },
    },
    (req) => consents.unlock(citizenCall(req), req.params.id, req.body.minutes),
  );
}

/** The usage history, with the proofs that the published log holds it. */
function usageRoutes(app: FastifyInstance, { records }: ConsentServices): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/citizen/usage',
    {
      config: citizen,
      schema: {
        tags,
        summary: 'Every use of my biometrics, newest first, each with its transparency-log leaf and inclusion proof',
        security: citizenSecurity,
        querystring: UsageQuery,
        response: { 200: UsagePage, ...errors(400, 403) },
      },
    },
    async (req) => {
      const q = req.query;
      return records.usage(
        sessionOf(req),
        q.personId,
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
}

/** Consents, locks and the usage history: what a citizen decides and what they can check. */
export function citizenConsentRoutes(app: FastifyInstance, services: ConsentServices): void {
  consentRoutes(app, services);
  lockRoutes(app, services);
  usageRoutes(app, services);
}
