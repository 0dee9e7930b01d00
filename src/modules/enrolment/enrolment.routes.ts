import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { imageBytes, normaliseMultipartBody } from '../../http/image-body.js';
import { errors, security } from '../../http/schemas.js';
import { Enrolled, NewEnrolmentBody, NewTemplateBody, PersonParams } from './enrolment.schemas.js';
import type { EnrolmentService } from './enrolment.service.js';

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
        body: NewEnrolmentBody,
        response: { 201: Enrolled, ...imageErrors },
      },
    },
    async (req, reply) => {
      const { segment, channel, image, consents, adjudicationId, birthDate, contact } = req.body;
      const result = await enrolment.enrol(callContext(req), {
        segment,
        channel,
        consents,
        adjudicationId,
        birthDate,
        contact,
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
        params: PersonParams,
        body: NewTemplateBody,
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
