import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { errors, security } from '../../http/schemas.js';
import type { KeysService } from '../keys/keys.service.js';
import type { RenewalService } from '../templates/renewal.service.js';
import {
  AgeRules,
  KeyRotation,
  KeyStatusList,
  NewAgeRules,
  NewSegment,
  Rekeyed,
  RekeyRequest,
  Segment,
  SegmentList,
  SegmentParams,
} from './segments.schemas.js';
import type { SegmentsService } from './segments.service.js';

interface SegmentServices {
  readonly segments: SegmentsService;
  readonly keys: KeysService;
  readonly renewal: RenewalService;
}

/** Segments and their rules for minors. */
function segmentRoutes(app: FastifyInstance, { segments }: SegmentServices): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/segments',
    {
      schema: {
        tags: ['segments'],
        summary: 'Create a regional segment (administrator)',
        security,
        body: NewSegment,
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
        response: { 200: SegmentList, ...errors() },
      },
    },
    // Any authenticated caller: the onRequest hook has already refused the rest.
    async () => ({ segments: await segments.list() }),
  );
  r.get(
    '/v1/segments/:id/age-rules',
    {
      schema: {
        tags: ['segments'],
        summary: "A segment's rules for minors",
        security,
        params: SegmentParams,
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
        params: SegmentParams,
        body: NewAgeRules,
        response: { 200: AgeRules, ...errors(400, 403, 404) },
      },
    },
    async (req) => segments.setAgeRules(callContext(req), req.params.id, req.body),
  );
}

/** Data keys and the re-keying of renewable templates. */
function keyRoutes(app: FastifyInstance, { keys, renewal }: SegmentServices): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/segments/:id/keys/rotate',
    {
      schema: {
        tags: ['keys'],
        summary: "Rotate a segment's data key (administrator); templates are re-sealed in the background",
        security,
        params: SegmentParams,
        response: { 202: KeyRotation, ...errors(400, 403, 404) },
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
        response: { 200: KeyStatusList, ...errors(403) },
      },
    },
    async (req) => ({ keys: await keys.status(callContext(req)) }),
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
        params: SegmentParams,
        body: RekeyRequest,
        response: {
          200: Rekeyed,
          ...errors(403, 404, 409),
        },
      },
    },
    async (req) => renewal.rekey(callContext(req), req.params.id, { relyingPartyId: req.body?.relyingPartyId }),
  );
}

/** Segments, their rules for minors, their data keys and the re-keying of their templates. */
export function segmentsRoutes(app: FastifyInstance, services: SegmentServices): void {
  segmentRoutes(app, services);
  keyRoutes(app, services);
}
