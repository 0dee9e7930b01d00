import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { imageBytes, normaliseMultipartBody } from '../../http/image-body.js';
import { errors, NoContent, security } from '../../http/schemas.js';
import { citizen, citizenSecurity, sessionOf } from '../../modules/citizen/citizen-request.js';
import type { PassesService } from './passes.service.js';
import type { RidersService } from './riders.service.js';
import {
  CitizenTrips,
  Gate,
  GateParams,
  GateView,
  PassAnswer,
  PassRequest,
  Rider,
  RiderLink,
  RiderParams,
  Settlement,
  TransitTariff,
  Trips,
} from './transit.schemas.js';

const tags = ['transit'];
const multipart = (req: Parameters<typeof normaliseMultipartBody>[0], _r: unknown, done: () => void) => {
  normaliseMultipartBody(req, []);
  done();
};

export function transitRoutes(app: FastifyInstance, services: { passes: PassesService; riders: RidersService }): void {
  const { passes, riders } = services;
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.put(
    '/v1/transit/tariff',
    {
      schema: {
        tags,
        summary: 'Set the operator’s tariff (minor units); later passes use it',
        security,
        body: TransitTariff,
        response: { 200: TransitTariff, ...errors(400, 403) },
      },
    },
    async (req) => riders.putTariff(callContext(req), req.body),
  );
  r.put(
    '/v1/transit/gates/:gateId',
    {
      schema: {
        tags,
        summary: 'Register (or rename) a gate; passes from unregistered gates are refused',
        security,
        params: GateParams,
        body: Gate,
        response: { 200: GateView, ...errors(400, 403) },
      },
    },
    async (req) => riders.putGate(callContext(req), req.params.gateId, req.body.name),
  );
  r.post(
    '/v1/transit/riders',
    {
      schema: {
        tags,
        summary: 'Link a person (the operator’s pseudonym) to a payment token',
        security,
        body: RiderLink,
        response: { 201: Rider, ...errors(400, 403, 404) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await riders.link(callContext(req), req.body.personId, req.body.paymentMethod.token)),
  );
  r.delete(
    '/v1/transit/riders/:personId',
    {
      schema: {
        tags,
        summary: 'Unlink a rider',
        security,
        params: RiderParams,
        response: { 204: NoContent, ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      await riders.unlink(callContext(req), req.params.personId);
      return reply.code(204).send(null);
    },
  );
  r.post(
    '/v1/transit/riders/:personId/settlement',
    {
      schema: {
        tags,
        summary: 'Settle a blocked rider’s debt through the payment port (optionally with a new token)',
        security,
        params: RiderParams,
        body: Settlement,
        response: { 200: Rider, ...errors(400, 402, 403, 404, 503) },
      },
    },
    async (req) => riders.settle(callContext(req), req.params.personId, req.body.paymentMethod?.token),
  );
  r.get(
    '/v1/transit/riders/:personId/trips',
    {
      schema: {
        tags,
        summary: 'A rider’s passes and charges, newest first',
        security,
        params: RiderParams,
        response: { 200: Trips, ...errors(403, 404) },
      },
    },
    async (req) => riders.trips(callContext(req), req.params.personId),
  );
  r.post(
    '/v1/transit/passes',
    {
      preValidation: multipart,
      schema: {
        tags,
        summary: 'A gate pass paid by face: open or refuse, and the charge',
        description:
          'The same `eventId` answers the same and never charges twice, across restarts. The gate opens only ' +
          'for a rider whose face clears the gallery threshold and beats anyone else by OBLIK_GATE_MARGIN.',
        security,
        body: PassRequest,
        response: { 200: PassAnswer, ...errors(400, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (req) => {
      const { gateId, eventId, image } = req.body;
      return passes.pass(callContext(req), { gateId, eventId, image: imageBytes(image) });
    },
  );
  r.get(
    '/v1/citizen/transit/trips',
    {
      config: citizen,
      schema: {
        tags: ['citizen'],
        summary: 'My passes and charges with every transit operator',
        security: citizenSecurity,
        response: { 200: CitizenTrips, ...errors() },
      },
    },
    async (req) => riders.citizenTrips(sessionOf(req).personId),
  );
}
