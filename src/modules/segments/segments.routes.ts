import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../../http/call-context.js';
import { errors, Id, Purpose, security, SegmentId } from '../../http/schemas.js';
import type { KeysService } from '../keys/keys.service.js';
import type { RenewalService } from '../templates/renewal.service.js';
import type { SegmentsService } from './segments.service.js';

const Segment = z.object({ id: z.string(), name: z.string(), createdAt: z.string() }).meta({ id: 'Segment' });
const KeyStatus = z.object({
  segment: z.string(),
  version: z.number().int(),
  state: z.enum(['active', 'retired']),
  masterKeyId: z.string(),
  createdAt: z.string(),
  templates: z.number().int(),
});

const AgeRules = z
  .object({
    segment: z.string(),
    ageOfConsent: z.number().int(),
    minorPurposes: z.array(z.string()).describe('the only purposes a minor may be used for (a guardian grants them)'),
  })
  .meta({ id: 'AgeRules' });

export function segmentsRoutes(
  app: FastifyInstance,
  segments: SegmentsService,
  keys: KeysService,
  renewal: RenewalService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/segments',
    {
      schema: {
        tags: ['segments'],
        summary: 'Create a regional segment (administrator)',
        security,
        body: z.object({ id: SegmentId, name: z.string().min(1).max(200) }),
        response: { 201: Segment, ...errors(400, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await segments.create(callContext(req), req.body)),
  );
  r.get(
    '/v1/segments',
    {
      schema: {
        tags: ['segments'],
        summary: 'List segments',
        security,
        response: { 200: z.object({ segments: z.array(Segment) }), ...errors() },
      },
    },
    // Any authenticated caller: the onRequest hook has already refused the rest.
    async () => ({ segments: await segments.list() }),
  );
  r.post(
    '/v1/segments/:id/keys/rotate',
    {
      schema: {
        tags: ['keys'],
        summary: "Rotate a segment's data key (administrator); templates are re-sealed in the background",
        security,
        params: z.object({ id: SegmentId }),
        response: { 202: z.object({ segment: z.string(), version: z.number().int() }), ...errors(400, 403, 404) },
      },
    },
    async (req, reply) => reply.code(202).send(await keys.rotateSegmentKey(callContext(req), req.params.id)),
  );
  r.get(
    '/v1/keys',
    {
      schema: {
        tags: ['keys'],
        summary: 'Data key versions per segment, their master key and how many templates each seals (administrator)',
        security,
        response: { 200: z.object({ keys: z.array(KeyStatus) }), ...errors(403) },
      },
    },
    async (req) => ({ keys: await keys.status(callContext(req)) }),
  );
  r.get(
    '/v1/segments/:id/age-rules',
    {
      schema: {
        tags: ['segments'],
        summary: "A segment's rules for minors",
        security,
        params: z.object({ id: SegmentId }),
        response: { 200: AgeRules, ...errors(404) },
      },
    },
    async (req) => segments.ageRules(req.params.id),
  );
  r.put(
    '/v1/segments/:id/age-rules',
    {
      schema: {
        tags: ['segments'],
        summary: "Set a segment's rules for minors (administrator or the segment's operator)",
        security,
        params: z.object({ id: SegmentId }),
        body: z.object({ ageOfConsent: z.number().int().min(0).max(25), minorPurposes: z.array(Purpose).max(64) }),
        response: { 200: AgeRules, ...errors(400, 403, 404) },
      },
    },
    async (req) => segments.setAgeRules(callContext(req), req.params.id, req.body),
  );
  r.post(
    '/v1/segments/:id/rekey',
    {
      schema: {
        tags: ['keys'],
        summary: "Re-key a segment's renewable templates to a fresh transform, without any image (operator)",
        description:
          'Every template moves to new = R₂·R₁ᵀ·old and the old transform is destroyed: templates copied before ' +
          'the re-key match nothing afterwards. Matching continues during the move. Without a body every view of ' +
          "the segment is renewed; with `relyingPartyId`, only that party's view (the templates it enrolled, for a " +
          'party registered with `ownTemplateView`).',
        security,
        params: z.object({ id: SegmentId }),
        body: z.object({ relyingPartyId: Id.optional() }).nullish(),
        response: {
          200: z.object({
            segment: z.string(),
            transformVersion: z.number().int(),
            templatesMoved: z.number().int(),
            destroyedVersions: z.array(z.number().int()),
            views: z.array(
              z.object({
                relyingPartyId: z.string().nullable(),
                transformVersion: z.number().int(),
                templatesMoved: z.number().int(),
                destroyedVersions: z.array(z.number().int()),
              }),
            ),
          }),
          ...errors(403, 404, 409),
        },
      },
    },
    async (req) => renewal.rekey(callContext(req), req.params.id, { relyingPartyId: req.body?.relyingPartyId }),
  );
}
