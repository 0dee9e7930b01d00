import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errors, Id, Purpose } from '../../http/schemas.js';
import type { CitizenConsentsService } from './citizen-consents.service.js';
import { citizen, citizenCall, citizenSecurity, sessionOf } from './citizen-request.js';
import { Consent, ForPerson, Lock, Receipt, TreeHead, UsageItem } from './citizen.schemas.js';
import type { CitizenRecordsService } from './citizen-records.service.js';

/** Consents, locks and the usage history: what a citizen decides and what they can check. */
export function citizenConsentRoutes(
  app: FastifyInstance,
  services: { consents: CitizenConsentsService; records: CitizenRecordsService },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { consents, records } = services;
  const tags = ['citizen'];
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
        params: z.object({ id: Id }),
        response: { 200: z.object({ id: z.string(), consent: Consent, receipt: Receipt }), ...errors(404) },
      },
    },
    (req) => consents.revoke(citizenCall(req), req.params.id),
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
    (req) => consents.unlock(citizenCall(req), req.params.id, req.body.minutes),
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
