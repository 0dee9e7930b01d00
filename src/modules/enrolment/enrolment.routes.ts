import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../../http/call-context.js';
import { imageBytes, normaliseMultipartBody } from '../../http/image-body.js';
import { errors, Id, ImageField, Purpose, security, SegmentId } from '../../http/schemas.js';
import type { EnrolmentService } from './enrolment.service.js';

const Channel = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,31}$/)
  .describe('where the face was captured, e.g. city_app, bank_branch, telecom_office, kiosk');

const Enrolled = z
  .object({
    personId: z.string(),
    templateId: z.string(),
    quality: z.object({ score: z.number(), measures: z.record(z.string(), z.number()) }),
    liveness: z.object({ score: z.number(), threshold: z.number() }),
    receipt: z
      .object({
        citizenId: z.string(),
        segment: z.string(),
        enrolledAt: z.string(),
        enrolledBy: z.string(),
        consents: z.array(z.string()),
      })
      .optional()
      .describe(
        "the citizen's enrolment slip: hand it to the citizen (print or show it) and do not keep it; its citizenId " +
          'signs them in to their own account and is never used by relying parties',
      ),
  })
  .describe('personId is the enrolling party’s pseudonym for the person (pairwise: other parties see another id)')
  .meta({ id: 'Enrolment' });

export const BirthDate = z.iso.date().describe('YYYY-MM-DD; the segment’s rules for minors apply while under age');

const imageErrors = errors(400, 403, 404, 409, 413, 415, 422, 503);

export function enrolmentRoutes(app: FastifyInstance, enrolment: EnrolmentService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/persons',
    {
      preValidation: (req, _reply, done) => {
        normaliseMultipartBody(req, ['consents']);
        done();
      },
      schema: {
        tags: ['enrolment'],
        summary: 'Enrol a person: one face, searched 1:N against the segment first (enrol right)',
        description:
          'A face already enrolled under another person is refused with `enrolment.duplicate` and an adjudication ' +
          'is opened for the segment operator. Accepts `Idempotency-Key`.',
        security,
        body: z.object({
          segment: SegmentId,
          channel: Channel,
          image: ImageField,
          consents: z
            .array(Purpose)
            .max(32)
            .default([])
            .describe(
              'purposes the person agreed to for the enrolling party (a minor’s consent comes from a guardian)',
            ),
          birthDate: BirthDate.optional(),
          adjudicationId: Id.optional().describe(
            'after a refused duplicate that the operator resolved as different people: enrol the face anyway',
          ),
        }),
        response: { 201: Enrolled, ...imageErrors },
      },
    },
    async (req, reply) => {
      const { segment, channel, image, consents, adjudicationId, birthDate } = req.body;
      const result = await enrolment.enrol(callContext(req), {
        segment,
        channel,
        consents,
        adjudicationId,
        birthDate,
        image: imageBytes(image),
      });
      return reply.code(201).send(result);
    },
  );
  r.post(
    '/v1/persons/:personId/templates',
    {
      preValidation: (req, _reply, done) => {
        normaliseMultipartBody(req, []);
        done();
      },
      schema: {
        tags: ['enrolment'],
        summary: "Re-enrol: add a template to a person; the face must match the person's (enrol right)",
        security,
        params: z.object({ personId: Id }),
        body: z.object({ image: ImageField, channel: Channel.default('re_enrolment') }),
        response: { 201: Enrolled, ...imageErrors },
      },
    },
    async (req, reply) => {
      const result = await enrolment.addTemplate(callContext(req), req.params.personId, {
        channel: req.body.channel,
        image: imageBytes(req.body.image),
      });
      return reply.code(201).send(result);
    },
  );
}
