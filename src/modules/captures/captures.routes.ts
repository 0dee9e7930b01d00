import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../../http/call-context.js';
import { imageBytes, normaliseMultipartBody } from '../../http/image-body.js';
import { errors, ImageField, security, SegmentId } from '../../http/schemas.js';
import type { CaptureQualityService } from './captures.service.js';

const Reason = z
  .enum([
    'no_face',
    'face_too_small',
    'too_close',
    'yaw_too_large',
    'pitch_too_large',
    'blurred',
    'underexposed',
    'overexposed',
    'multiple_faces',
  ])
  .describe(
    'face_too_small: come closer; too_close: step back (the liveness check needs surroundings); yaw/pitch: face ' +
      'the camera; blurred: hold still; under/overexposed: light',
  );

const Feedback = z
  .object({
    ready: z.boolean().describe('the frame passes the enrolment quality and framing checks'),
    reasons: z.array(Reason),
    faces: z.number().int(),
    score: z.number().nullable(),
    measures: z
      .object({
        interEyePx: z.number(),
        yawDeg: z.number(),
        pitchDeg: z.number(),
        rollDeg: z.number(),
        brightness: z.number(),
        sharpness: z.number(),
      })
      .nullable(),
    box: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).nullable(),
  })
  .meta({ id: 'CaptureFeedback' });

export function capturesRoutes(app: FastifyInstance, quality: CaptureQualityService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/captures/quality',
    {
      preValidation: (req, _reply, done) => {
        normaliseMultipartBody(req, []);
        done();
      },
      schema: {
        tags: ['enrolment'],
        summary: 'Check a frame before enrolling it: quality reasons only, nothing stored or searched (enrol right)',
        description:
          'For live guidance at an enrolment desk. Answers the engine’s quality reasons for the dominant face; no ' +
          'template, no liveness score and no match. Image errors (`image.*`) are refused as on enrolment.',
        security,
        body: z.object({ segment: SegmentId, image: ImageField }),
        response: { 200: Feedback, ...errors(400, 403, 413, 415, 422, 503) },
      },
    },
    async (req) => quality.check(callContext(req), req.body.segment, imageBytes(req.body.image)),
  );
}
