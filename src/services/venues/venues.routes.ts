import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { imageBytes } from '../../http/image-body.js';
import { errors, NoContent, security } from '../../http/schemas.js';
import {
  AccessParams,
  Created,
  Entry,
  EntryAttempt,
  EntryList,
  EntryListQuery,
  NewAccess,
  NewVenue,
  VenueParams,
} from './venues.schemas.js';
import type { VenuesService } from './venues.service.js';

const tags = ['venues'];

/** Venue and office entry: venues, passes, entries at a door and the entry log (a party with venue_access). */
export function venuesRoutes(app: FastifyInstance, venues: VenuesService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/venues',
    {
      schema: {
        tags,
        summary: 'Create a venue or office in one of the party’s segments',
        security,
        body: NewVenue,
        response: { 201: Created, ...errors(400, 403) },
      },
    },
    async (req, reply) => reply.code(201).send(await venues.create(callContext(req), req.body)),
  );
  r.post(
    '/v1/venues/:id/access',
    {
      schema: {
        tags,
        summary: 'Give a person a staff or visitor pass (they must have granted the party venue_access)',
        security,
        params: VenueParams,
        body: NewAccess,
        response: { 201: Created, ...errors(400, 403, 404, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await venues.grant(callContext(req), req.params.id, req.body)),
  );
  r.delete(
    '/v1/venues/:id/access/:accessId',
    {
      schema: {
        tags,
        summary: 'End a pass',
        security,
        params: AccessParams,
        response: { 204: NoContent, ...errors(400, 403, 404) },
      },
    },
    async (req, reply) => {
      await venues.revoke(callContext(req), req.params.id, req.params.accessId);
      return reply.code(204).send(null);
    },
  );
  r.post(
    '/v1/venues/:id/entries',
    {
      schema: {
        tags,
        summary: 'A face at a door: identified among the venue’s pass holders only; idempotent per eventId',
        security,
        params: VenueParams,
        body: EntryAttempt,
        response: { 200: Entry, ...errors(400, 403, 404, 413, 415, 422, 503) },
      },
    },
    async (req) => {
      const { eventId, doorId, image } = req.body;
      return venues.enter(callContext(req), req.params.id, { eventId, doorId, image: imageBytes(image) });
    },
  );
  r.get(
    '/v1/venues/:id/entries',
    {
      schema: {
        tags,
        summary: 'The venue’s entry log, newest first',
        security,
        params: VenueParams,
        querystring: EntryListQuery,
        response: { 200: EntryList, ...errors(400, 403, 404) },
      },
    },
    async (req) => venues.entries(callContext(req), req.params.id, req.query.limit),
  );
}
