import { z } from 'zod';
import { Id, Purpose, Right, SegmentId } from '../../http/schemas.js';

export const IssuedCredential = z
  .object({
    id: z.string(),
    apiKey: z.string().optional().describe('shown only in the response that created it; absent on a replay'),
  })
  .meta({ id: 'IssuedCredential' });

export const PrincipalSummary = z.object({
  id: z.string(),
  role: z.enum(['admin', 'operator', 'relying_party', 'auditor']),
  name: z.string(),
  purposes: z.array(z.string()).readonly(),
  segments: z.array(z.string()).readonly(),
  rights: z.array(z.string()).readonly(),
  requireLiveness: z.boolean(),
  ownTemplateView: z.boolean(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const RelyingPartyList = z.object({ relyingParties: z.array(PrincipalSummary) });

export const NewRelyingParty = z.object({
  name: z.string().min(1).max(200),
  purposes: z.array(Purpose).min(1),
  segments: z.array(SegmentId).min(1),
  rights: z.array(Right).min(1),
  requireLiveness: z
    .boolean()
    .optional()
    .describe('refuse captures that fail the liveness check (for parties whose cameras are trusted)'),
  ownTemplateView: z
    .boolean()
    .optional()
    .describe(
      'keep the templates this party enrols under its own transform (a per-party template view), so a leak ' +
        'through its channel is renewed by re-keying its view alone',
    ),
});

export const NewAuditor = z.object({ name: z.string().min(1).max(200) });

export const IssuedAuditor = IssuedCredential.extend({ name: z.string() }).meta({ id: 'IssuedAuditor' });

export const NewOperator = z.object({ name: z.string().min(1).max(200), segments: z.array(SegmentId).min(1) });

export const PrincipalParams = z.object({ id: Id });

export const SigningKeyBody = z.object({
  publicKey: z.string().min(40).max(4096).describe('an Ed25519 public key, PEM (SPKI)'),
});

export const SigningKey = z.object({ id: z.string(), signingKey: z.string() }).meta({ id: 'SigningKey' });
