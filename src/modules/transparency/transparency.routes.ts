import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { ErrorBody, errors, security } from '../../http/schemas.js';
import type { AuditorEntries } from './auditor-entries.service.js';
import {
  ConsistencyProof,
  ConsistencyQuery,
  EntriesQuery,
  FullEntryList,
  InclusionProof,
  InclusionQuery,
  LeavesQuery,
  PublishedKeyList,
  PublishedLeafList,
  SignedTreeHead,
  TreeHeadParams,
} from './transparency.schemas.js';
import type { TransparencyLog } from './transparency.service.js';

/** Public (no key): the responses a route can give besides 200, each with the error schema. */
const publicErrors = (...statuses: number[]) => Object.fromEntries([500, ...statuses].map((s) => [s, ErrorBody]));
const tags = ['transparency'];

/**
 * The transparency log, published to anyone: signed tree heads, inclusion and consistency proofs (RFC 9162),
 * the signing key and the leaves themselves (which hold no personal data). No API key is needed.
 */
export function transparencyRoutes(app: FastifyInstance, log: TransparencyLog, auditors: AuditorEntries): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const config = { public: true };
  r.get(
    '/v1/transparency/tree-head',
    {
      config,
      schema: {
        tags,
        summary: 'The latest signed tree head (transparency.head_not_found while the log is empty)',
        response: { 200: SignedTreeHead, ...publicErrors(404) },
      },
    },
    () => log.currentHead(),
  );
  r.get(
    '/v1/transparency/tree-heads/:treeSize',
    {
      config,
      schema: {
        tags,
        summary: 'A stored signed tree head, to check consistency from an older head',
        params: TreeHeadParams,
        response: { 200: SignedTreeHead, ...publicErrors(400, 404) },
      },
    },
    (req) => log.treeHead(req.params.treeSize),
  );
  r.get(
    '/v1/transparency/proofs/inclusion',
    {
      config,
      schema: {
        tags,
        summary: 'Inclusion proof of a leaf in a tree size (transparency.out_of_range outside the log)',
        querystring: InclusionQuery,
        response: { 200: InclusionProof, ...publicErrors(400, 404) },
      },
    },
    (req) => log.inclusionProof(req.query.leafIndex, req.query.treeSize),
  );
  r.get(
    '/v1/transparency/proofs/consistency',
    {
      config,
      schema: {
        tags,
        summary: 'Consistency proof between two tree sizes (transparency.out_of_range outside the log)',
        querystring: ConsistencyQuery,
        response: { 200: ConsistencyProof, ...publicErrors(400, 404) },
      },
    },
    (req) => log.consistencyProof(req.query.from, req.query.to),
  );
  r.get(
    '/v1/transparency/keys',
    {
      config,
      schema: {
        tags,
        summary: 'The public key(s) tree heads are signed with',
        response: { 200: PublishedKeyList, ...publicErrors() },
      },
    },
    async () => ({ keys: await log.keys() }),
  );
  r.get(
    '/v1/transparency/leaves',
    {
      config,
      schema: {
        tags,
        summary: 'Leaves [start, end) as published, at most 1000 (transparency.out_of_range outside the log)',
        querystring: LeavesQuery,
        response: { 200: PublishedLeafList, ...publicErrors(400, 404) },
      },
    },
    async (req) => ({ leaves: await log.leaves(req.query.start, req.query.end) }),
  );
  r.get(
    '/v1/transparency/entries',
    {
      schema: {
        tags,
        summary: "Integrated entries in full, with their salts, to recompute each public leaf (auditor's key)",
        security,
        querystring: EntriesQuery,
        response: { 200: FullEntryList, ...errors(400, 403) },
      },
    },
    (req) => auditors.read(callContext(req), req.query.from, req.query.limit),
  );
}
