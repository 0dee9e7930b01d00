import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { imageBytes, normaliseMultipartBody } from '../../http/image-body.js';
import { errors, security } from '../../http/schemas.js';
import { citizen, citizenSecurity, sessionOf } from '../../modules/citizen/citizen-request.js';
import type { ParkingService } from './parking.service.js';
import {
  CitizenSessions,
  FacilityCreated,
  FacilityParams,
  FacilitySessions,
  NewFacility,
  ParkingEventAnswer,
  ParkingEventRequest,
} from './parking.schemas.js';

const tags = ['parking'];
const multipart = (req: Parameters<typeof normaliseMultipartBody>[0], _r: unknown, done: () => void) => {
  normaliseMultipartBody(req, []);
  done();
};

export function parkingRoutes(app: FastifyInstance, parking: ParkingService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/parking/facilities',
    {
      schema: {
        tags,
        summary: 'Open a car park with its duration tariff (minor units)',
        security,
        body: NewFacility,
        response: { 201: FacilityCreated, ...errors(400, 403) },
      },
    },
    async (req, reply) => reply.code(201).send(await parking.createFacility(callContext(req), req.body)),
  );
  r.get(
    '/v1/parking/facilities/:id/sessions',
    {
      schema: {
        tags,
        summary: 'A car park’s sessions and their charges, newest first',
        security,
        params: FacilityParams,
        response: { 200: FacilitySessions, ...errors(403, 404) },
      },
    },
    async (req) => parking.sessionsAt(callContext(req), req.params.id),
  );
  r.post(
    '/v1/parking/events',
    {
      preValidation: multipart,
      schema: {
        tags,
        summary: 'A face at a barrier: entry opens a session, exit closes it and charges by duration',
        description: 'The same `eventId` answers the same, across restarts.',
        security,
        body: ParkingEventRequest,
        response: { 200: ParkingEventAnswer, ...errors(400, 403, 404, 413, 415, 422, 503) },
      },
    },
    async (req) => {
      const { image, ...rest } = req.body;
      return parking.event(callContext(req), { ...rest, image: imageBytes(image) });
    },
  );
  r.get(
    '/v1/citizen/parking/sessions',
    {
      config: citizen,
      schema: {
        tags: ['citizen'],
        summary: 'My parking sessions and charges with every operator',
        security: citizenSecurity,
        response: { 200: CitizenSessions, ...errors() },
      },
    },
    async (req) => parking.citizenSessions(sessionOf(req).personId),
  );
}
