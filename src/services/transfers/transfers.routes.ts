import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../../http/call-context.js';
import { errors, security } from '../../http/schemas.js';
import { TransferAccepted, TransferParams, TransferProgress } from './transfers.schemas.js';
import type { TransfersService } from './transfers.service.js';

const tags = ['transfers'];
const NDJSON = 'application/x-ndjson';

export function transfersRoutes(app: FastifyInstance, transfers: TransfersService): void {
  // The batch is handed to the service as the raw stream: it is spooled to disk, never parsed whole here.
  app.addContentTypeParser(NDJSON, (_req, payload: IncomingMessage, done) => done(null, payload));
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/transfers',
    {
      schema: {
        tags,
        summary: 'Send a signed NDJSON batch of records (a bank with the right transfer)',
        description:
          'Body `application/x-ndjson`, one record a line; header `Oblik-Signature`: base64 Ed25519 over the ' +
          'exact body bytes, by the key registered with PUT /v1/relying-parties/{id}/signing-key. Answers at once; ' +
          'the records are processed in the background.',
        security,
        response: { 202: TransferAccepted, ...errors(401, 403, 409, 413, 415) },
      },
    },
    async (req, reply) => {
      const signature = req.headers['oblik-signature'];
      const body = req.body instanceof Readable ? req.body : Readable.from([]);
      const accepted = await transfers.submit(
        callContext(req),
        body,
        Array.isArray(signature) ? signature[0] : signature,
      );
      return reply.code(202).send(accepted);
    },
  );
  r.get(
    '/v1/transfers/:id',
    {
      schema: {
        tags,
        summary: 'A batch’s progress (its bank, or an administrator)',
        security,
        params: TransferParams,
        response: { 200: TransferProgress, ...errors(403, 404) },
      },
    },
    async (req) => transfers.progress(callContext(req), req.params.id),
  );
  r.get(
    '/v1/transfers/:id/report',
    {
      schema: {
        tags,
        summary: 'The batch’s report: one NDJSON line per decided record (its bank, or an administrator)',
        description:
          'Each line: `{line, externalRef, status: "accepted", personId}` (the bank’s pseudonym), ' +
          '`{…, status: "duplicate", adjudicationId}` or `{…, status: "rejected", code}`.',
        security,
        params: TransferParams,
        response: { 200: z.string().describe('NDJSON, one record a line'), ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      const lines = await transfers.report(callContext(req), req.params.id);
      // A stream is sent as it is read, never serialised: the schema above only documents it.
      return reply.type(NDJSON).send(Readable.from(lines) as unknown as string);
    },
  );
}
