import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { imageBytes } from '../../http/image-body.js';
import { errors, security } from '../../http/schemas.js';
import { citizen, citizenSecurity, sessionOf } from '../../modules/citizen/citizen-request.js';
import { Created } from '../venues/venues.schemas.js';
import {
  CitizenMeals,
  CitizenMealsQuery,
  Meal,
  MealAttempt,
  MealSummary,
  NewPupil,
  NewSchool,
  SchoolParams,
  SummaryQuery,
} from './schools.schemas.js';
import type { SchoolsService } from './schools.service.js';

const tags = ['schools'];

/** School meals: schools, pupils, the canteen and its daily summary (a party with school_meals); the guardian's view. */
export function schoolsRoutes(app: FastifyInstance, schools: SchoolsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/schools',
    {
      schema: {
        tags,
        summary: 'Create a school in one of the party’s segments',
        security,
        body: NewSchool,
        response: { 201: Created, ...errors(400, 403) },
      },
    },
    async (req, reply) => reply.code(201).send(await schools.create(callContext(req), req.body)),
  );
  r.post(
    '/v1/schools/:id/pupils',
    {
      schema: {
        tags,
        summary: 'Add a pupil (their guardian must have granted the party school_meals)',
        security,
        params: SchoolParams,
        body: NewPupil,
        response: { 201: Created, ...errors(400, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await schools.addPupil(callContext(req), req.params.id, req.body)),
  );
  r.post(
    '/v1/schools/:id/meals',
    {
      schema: {
        tags,
        summary: 'A face at the canteen: identified among the school’s pupils only; idempotent per eventId',
        security,
        params: SchoolParams,
        body: MealAttempt,
        response: { 200: Meal, ...errors(400, 403, 404, 413, 415, 422, 503) },
      },
    },
    async (req) => {
      const { eventId, image, amount } = req.body;
      return schools.serve(callContext(req), req.params.id, { eventId, image: imageBytes(image), amount });
    },
  );
  r.get(
    '/v1/schools/:id/meals/summary',
    {
      schema: {
        tags,
        summary: 'A day’s meal counts and totals (never faces, never pupils’ names)',
        security,
        params: SchoolParams,
        querystring: SummaryQuery,
        response: { 200: MealSummary, ...errors(400, 403, 404) },
      },
    },
    async (req) => schools.summary(callContext(req), req.params.id, req.query.date),
  );
  r.get(
    '/v1/citizen/meals',
    {
      config: citizen,
      schema: {
        tags: ['citizen'],
        summary: 'School meals served to me, or to a minor in my care (personId)',
        security: citizenSecurity,
        querystring: CitizenMealsQuery,
        response: { 200: CitizenMeals, ...errors(400, 403) },
      },
    },
    async (req) => schools.mealsOf(sessionOf(req), req.query.personId, req.query.limit),
  );
}
