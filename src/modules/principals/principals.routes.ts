import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../../http/call-context.js';
import { errors, Id, Purpose, Right, security, SegmentId } from '../../http/schemas.js';
import type { PrincipalsService } from './principals.service.js';

const Issued = z
  .object({
    id: z.string(),
    apiKey: z.string().optional().describe('shown only in the response that created it; absent on a replay'),
  })
  .meta({ id: 'IssuedCredential' });

export const Summary = z.object({
  id: z.string(),
  role: z.enum(['admin', 'operator', 'relying_party']),
  name: z.string(),
  purposes: z.array(z.string()).readonly(),
  segments: z.array(z.string()).readonly(),
  rights: z.array(z.string()).readonly(),
  requireLiveness: z.boolean(),
  ownTemplateView: z.boolean(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export function principalsRoutes(app: FastifyInstance, principals: PrincipalsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/relying-parties',
    {
      schema: {
        tags: ['relying parties'],
        summary: 'Register a relying party and issue its API key (administrator)',
        security,
        body: z.object({
          name: z.string().min(1).max(200),
          purposes: z.array(Purpose).min(1),
          segments: z.array(SegmentId).min(1),
          rights: z.array(Right).min(1),
          requireLiveness: z
            .boolean()
            .optional()
            .describe('refuse captures that fail the liveness check (for parties whose cameras are trusted)'),
          ownTemplateView: z
            .boolean()
            .optional()
            .describe(
              'keep the templates this party enrols under its own transform (a per-party template view), so a leak ' +
                'through its channel is renewed by re-keying its view alone',
            ),
        }),
        response: { 201: Issued, ...errors(400, 403, 404, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await principals.createRelyingParty(callContext(req), req.body)),
  );
  r.get(
    '/v1/relying-parties',
    {
      schema: {
        tags: ['relying parties'],
        summary: 'List relying parties (administrator)',
        security,
        response: { 200: z.object({ relyingParties: z.array(Summary) }), ...errors(403) },
      },
    },
    async (req) => ({ relyingParties: await principals.list(callContext(req), 'relying_party') }),
  );
  r.post(
    '/v1/operators',
    {
      schema: {
        tags: ['operators'],
        summary: 'Register a segment operator and issue its API key (administrator)',
        security,
        body: z.object({ name: z.string().min(1).max(200), segments: z.array(SegmentId).min(1) }),
        response: { 201: Issued, ...errors(400, 403, 404, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await principals.createOperator(callContext(req), req.body)),
  );
  for (const path of ['/v1/relying-parties/:id', '/v1/operators/:id']) {
    r.delete(
      path,
      {
        schema: {
          tags: [path.includes('operators') ? 'operators' : 'relying parties'],
          summary: 'Revoke the credential at once (administrator)',
          security,
          params: z.object({ id: Id }),
          response: { 204: z.null(), ...errors(403, 404) },
        },
      },
      async (req, reply) => {
        await principals.revoke(callContext(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
  }
}
