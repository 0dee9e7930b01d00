import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { imageBytes, normaliseMultipartBody } from '../../http/image-body.js';
import { errors, security } from '../../http/schemas.js';
import { Identification, IdentificationBody, Verification, VerificationBody } from './matching.schemas.js';
import type { MatchingService } from './matching.service.js';

const imageErrors = errors(400, 403, 404, 413, 415, 422, 503);
const multipart = (req: Parameters<typeof normaliseMultipartBody>[0], _r: unknown, done: () => void) => {
  normaliseMultipartBody(req, []);
  done();
};

export function matchingRoutes(app: FastifyInstance, matching: MatchingService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/verifications',
    {
      preValidation: multipart,
      schema: {
        tags: ['matching'],
        summary: "1:1: is this the claimed person? (verify right, the purpose allowed, the person's consent)",
        security,
        body: VerificationBody,
        response: { 200: Verification, ...imageErrors },
      },
    },
    async (req) =>
      matching.verify(callContext(req), {
        personId: req.body.personId,
        purpose: req.body.purpose,
        image: imageBytes(req.body.image),
      }),
  );
  r.post(
    '/v1/identifications',
    {
      preValidation: multipart,
      schema: {
        tags: ['matching'],
        summary: ' 1:N: who is this, among people who consented to the purpose? (identify right)',
        description:
          'Candidates at or above the identification threshold, best first. An empty list is a normal answer. ' +
          'Without `segment`, every segment the relying party may use is searched.',
        security,
        body: IdentificationBody,
        response: { 200: Identification, ...imageErrors },
      },
    },
    async (req) => {
      const { image, purpose, segment, limit } = req.body;
      return matching.identify(callContext(req), {
        image: imageBytes(image),
        purpose,
        ...(segment ? { segment } : {}),
        ...(limit ? { limit } : {}),
      });
    },
  );
}
