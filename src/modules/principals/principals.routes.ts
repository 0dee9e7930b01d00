import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { errors, NoContent, security } from '../../http/schemas.js';
import {
  IssuedAuditor,
  IssuedCredential,
  NewAuditor,
  NewOperator,
  NewRelyingParty,
  PrincipalParams,
  RelyingPartyList,
  SigningKey,
  SigningKeyBody,
} from './principals.schemas.js';
import type { PrincipalsService } from './principals.service.js';

export function principalsRoutes(app: FastifyInstance, principals: PrincipalsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/relying-parties',
    {
      schema: {
        tags: ['relying parties'],
        summary: 'Register a relying party and issue its API key (administrator)',
        security,
        body: NewRelyingParty,
        response: { 201: IssuedCredential, ...errors(400, 403, 404, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await principals.createRelyingParty(callContext(req), req.body)),
  );
  r.get(
    '/v1/relying-parties',
    {
      schema: {
        tags: ['relying parties'],
        summary: 'List relying parties (administrator)',
        security,
        response: { 200: RelyingPartyList, ...errors(403) },
      },
    },
    async (req) => ({ relyingParties: await principals.list(callContext(req), 'relying_party') }),
  );
  r.put(
    '/v1/relying-parties/:id/signing-key',
    {
      schema: {
        tags: ['relying parties'],
        summary: 'Register the Ed25519 public key (PEM) that signs the party’s bulk transfers (administrator)',
        security,
        params: PrincipalParams,
        body: SigningKeyBody,
        response: { 200: SigningKey, ...errors(400, 403, 404) },
      },
    },
    async (req) => principals.setSigningKey(callContext(req), req.params.id, req.body.publicKey),
  );
  r.post(
    '/v1/operators',
    {
      schema: {
        tags: ['operators'],
        summary: 'Register a segment operator and issue its API key (administrator)',
        security,
        body: NewOperator,
        response: { 201: IssuedCredential, ...errors(400, 403, 404, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await principals.createOperator(callContext(req), req.body)),
  );
  r.post(
    '/v1/auditors',
    {
      schema: {
        tags: ['auditors'],
        summary:
          "Register an auditor, who reads the transparency log's full entries, and issue its key (administrator)",
        security,
        body: NewAuditor,
        response: { 201: IssuedAuditor, ...errors(400, 403) },
      },
    },
    async (req, reply) => reply.code(201).send(await principals.createAuditor(callContext(req), req.body)),
  );
  for (const path of ['/v1/relying-parties/:id', '/v1/operators/:id', '/v1/auditors/:id']) {
    r.delete(
      path,
      {
        schema: {
          tags: [path.split('/')[2]!.replace('-', ' ')],
          summary: 'Revoke the credential at once (administrator)',
          security,
          params: PrincipalParams,
          response: { 204: NoContent, ...errors(403, 404) },
        },
      },
      async (req, reply) => {
        await principals.revoke(callContext(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
  }
}
