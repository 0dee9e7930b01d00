import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { imageBytes } from '../../http/image-body.js';
import { errors, security } from '../../http/schemas.js';
import { citizen, citizenSecurity, sessionOf } from '../../modules/citizen/citizen-request.js';
import type { DocumentInput } from '../registry.js';
import type { ContractsService } from './contracts.service.js';
import type { PortingService } from './porting.service.js';
import type { SubscriberHistoryService } from './subscriber-history.service.js';
import {
  CitizenTelecom,
  Contract,
  ContractApplication,
  ContractParams,
  FaceCheck,
  FraudAlertList,
  ListQuery,
  NumberHolder,
  NumberParams,
  NumberQuery,
  Objection,
  PortAccepted,
  PortApplication,
  PortList,
  PortListQuery,
  PortParams,
  PortRequest,
  SignedContract,
  Termination,
  TerminationRequest,
} from './telecom.schemas.js';

const tags = ['telecom'];

function documentOf(body: { mrz: string | string[] } | { image: string }): DocumentInput {
  return 'mrz' in body ? { mrz: body.mrz } : { image: imageBytes(body.image) };
}

export function telecomRoutes(
  app: FastifyInstance,
  services: { contracts: ContractsService; porting: PortingService; history: SubscriberHistoryService },
): void {
  const { contracts, porting, history } = services;
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/telecom/contracts',
    {
      schema: {
        tags,
        summary: 'Sign a mobile contract with the subscriber’s identity document and live face (the operator)',
        description: 'Accepts `Idempotency-Key`.',
        security,
        body: ContractApplication,
        response: { 201: SignedContract, ...errors(400, 403, 409, 413, 415, 422, 503) },
      },
    },
    async (req, reply) => {
      const { document, image, msisdn } = req.body;
      const signed = await contracts.sign(callContext(req), {
        document: documentOf(document),
        image: imageBytes(image),
        msisdn,
      });
      return reply.code(201).send(signed);
    },
  );
  r.get(
    '/v1/telecom/contracts/:id',
    {
      schema: {
        tags,
        summary: 'A contract of this operator',
        security,
        params: ContractParams,
        response: { 200: Contract, ...errors(403, 404) },
      },
    },
    async (req) => contracts.get(callContext(req), req.params.id),
  );
  r.post(
    '/v1/telecom/contracts/:id/termination',
    {
      schema: {
        tags,
        summary: 'End a contract at `effectiveAt` (never before the application), with the holder’s face',
        security,
        params: ContractParams,
        body: TerminationRequest,
        response: { 202: Termination, ...errors(400, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (req, reply) => {
      const { image, effectiveAt } = req.body;
      const ending = await contracts.terminate(callContext(req), req.params.id, {
        image: imageBytes(image),
        effectiveAt,
      });
      return reply.code(202).send(ending);
    },
  );
  r.post(
    '/v1/telecom/contracts/:id/termination/cancellation',
    {
      schema: {
        tags,
        summary: 'Withdraw a pending ending, with the holder’s face',
        security,
        params: ContractParams,
        body: FaceCheck,
        response: { 200: Contract, ...errors(400, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (req) => contracts.cancelEnding(callContext(req), req.params.id, { image: imageBytes(req.body.image) }),
  );
  r.get(
    '/v1/telecom/fraud-alerts',
    {
      schema: {
        tags,
        summary: 'Fraud alerts raised to this operator',
        security,
        querystring: ListQuery,
        response: { 200: FraudAlertList, ...errors(400, 403) },
      },
    },
    async (req) => ({ alerts: await contracts.fraudAlerts(callContext(req), req.query.limit) }),
  );
  r.get(
    '/v1/telecom/numbers/:msisdn',
    {
      schema: {
        tags,
        summary: 'Which operator serves a number, and since when (now, or at `at`)',
        security,
        params: NumberParams,
        querystring: NumberQuery,
        response: { 200: NumberHolder, ...errors(400, 403, 404) },
      },
    },
    async (req) => contracts.numberAt(callContext(req), req.params.msisdn, req.query.at),
  );
  r.post(
    '/v1/telecom/port-requests',
    {
      schema: {
        tags,
        summary: 'Ask to move a number to this operator, with the holder’s face and document (the recipient)',
        description: 'Accepts `Idempotency-Key`.',
        security,
        body: PortApplication,
        response: { 202: PortAccepted, ...errors(400, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (req, reply) => {
      const { msisdn, image, document, switchAt } = req.body;
      const input = { msisdn, image: imageBytes(image), document: documentOf(document), switchAt };
      return reply.code(202).send(await porting.request(callContext(req), input));
    },
  );
  r.get(
    '/v1/telecom/port-requests',
    {
      schema: {
        tags,
        summary: 'Port requests where this operator is the donor or the recipient',
        security,
        querystring: PortListQuery,
        response: { 200: PortList, ...errors(400, 403) },
      },
    },
    async (req) => ({ portRequests: await porting.list(callContext(req), req.query.role, req.query.limit) }),
  );
  r.post(
    '/v1/telecom/port-requests/:id/objection',
    {
      schema: {
        tags,
        summary: 'The donor objects within the notice period, for a reason the rules allow',
        security,
        params: PortParams,
        body: Objection,
        response: { 200: PortRequest, ...errors(400, 403, 404, 409, 422) },
      },
    },
    async (req) => porting.object(callContext(req), req.params.id, req.body.reason),
  );
  r.post(
    '/v1/telecom/port-requests/:id/cancellation',
    {
      schema: {
        tags,
        summary: 'The recipient withdraws a pending request before the switch',
        security,
        params: PortParams,
        response: { 200: PortRequest, ...errors(400, 403, 404, 409) },
      },
    },
    async (req) => porting.cancel(callContext(req), req.params.id),
  );
  r.get(
    '/v1/citizen/telecom',
    {
      config: citizen,
      schema: {
        tags: ['citizen'],
        summary: 'My mobile contracts, their endings and my port requests, with every operator',
        security: citizenSecurity,
        response: { 200: CitizenTelecom, ...errors() },
      },
    },
    async (req) => history.of(sessionOf(req).personId),
  );
}
