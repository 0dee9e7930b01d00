import { z } from 'zod';
import { Id, ImageField } from '../../http/schemas.js';
import { OBJECTION_REASONS } from './port-request-state.js';

/** A mobile number in E.164: `+`, country code, subscriber number; 8 to 15 digits. */
export const Msisdn = z
  .string()
  .regex(/^\+[1-9][0-9]{7,14}$/, 'an E.164 number such as "+77011234567"')
  .meta({ id: 'Msisdn' });

export const DocumentBody = z
  .union([
    z.object({
      mrz: z
        .union([z.string().max(200), z.array(z.string().max(60)).max(3)])
        .describe('the MRZ: TD1 (3 × 30) or TD3 (2 × 44) lines, as one string with newlines or a list'),
    }),
    z.object({ image: ImageField.describe('a photo or scan of the document (its MRZ is read by OCR, offline)') }),
  ])
  .describe('the subscriber’s identity document')
  .meta({ id: 'IdentityDocument' });

const Instant = z.iso.datetime({ offset: true });

export const ContractApplication = z.object({
  document: DocumentBody,
  image: ImageField.describe('the subscriber’s live face (liveness required)'),
  msisdn: Msisdn,
});

export const SignedContract = z
  .object({
    contractId: z.string(),
    personId: z.string().describe("the subscriber under the operator's own pseudonym"),
    msisdn: Msisdn,
    status: z.literal('active'),
    startedAt: z.string(),
    checks: z.object({
      document: z.enum(['mrz', 'image']).describe('how the document was read; every check digit passed'),
      portraitScore: z.number().optional().describe("the document's portrait against the live face"),
      registry: z.enum(['new', 'known']).describe('enrolled for this contract, or already known'),
    }),
  })
  .meta({ id: 'SignedContract' });

export const Contract = z
  .object({
    contractId: z.string(),
    personId: z.string(),
    msisdn: Msisdn,
    status: z.enum(['active', 'ending', 'ended']),
    startedAt: z.string(),
    effectiveAt: z.string().nullable().describe('when a requested ending takes (or took) effect'),
    endedAt: z.string().nullable(),
    endReason: z.enum(['termination', 'ported']).nullable(),
  })
  .meta({ id: 'Contract' });

export const ContractParams = z.object({ id: Id });

export const TerminationRequest = z.object({
  image: ImageField.describe("the contract holder's live face"),
  effectiveAt: Instant.describe('when the contract ends; never before the application'),
});

export const Termination = z.object({
  contractId: z.string(),
  effectiveAt: z.string(),
  status: z.literal('ending'),
});

export const FaceCheck = z.object({ image: ImageField.describe("the contract holder's live face") });

export const FraudAlertList = z.object({
  alerts: z.array(
    z.object({
      id: z.string(),
      kind: z.literal('identity_conflict'),
      personId: z.string(),
      msisdn: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
});

export const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

export const NumberParams = z.object({ msisdn: Msisdn });
export const NumberQuery = z.object({ at: Instant.optional().describe('the instant asked about (default now)') });
export const NumberHolder = z.object({
  msisdn: Msisdn,
  operatorId: z.string(),
  since: z.string(),
  at: z.string(),
});

export const PortApplication = z.object({
  msisdn: Msisdn,
  image: ImageField.describe('the subscriber’s live face (liveness required)'),
  document: DocumentBody,
  switchAt: Instant.optional().describe('no earlier than the notice period after the request (its default)'),
});

export const PortAccepted = z.object({
  id: z.string(),
  status: z.literal('pending'),
  donorOperatorId: z.string(),
  switchAt: z.string(),
});

export const PortRequest = z
  .object({
    id: z.string(),
    msisdn: Msisdn,
    status: z.enum(['pending', 'switched', 'cancelled', 'objected', 'expired']),
    donorOperatorId: z.string(),
    recipientOperatorId: z.string(),
    requestedAt: z.string(),
    switchAt: z.string(),
    objectionReason: z.string().nullable(),
    closedAt: z.string().nullable(),
  })
  .meta({ id: 'PortRequest' });

export const PortListQuery = ListQuery.extend({ role: z.enum(['donor', 'recipient']).default('recipient') });
export const PortList = z.object({ portRequests: z.array(PortRequest) });
export const PortParams = z.object({ id: Id });
export const Objection = z.object({
  reason: z
    .string()
    .max(64)
    .describe(`one of the reasons the rules allow: ${OBJECTION_REASONS.join(', ')}`),
});

export const CitizenTelecom = z.object({
  contracts: z.array(Contract.omit({ personId: true }).extend({ operatorId: z.string() })),
  ports: z.array(PortRequest),
});
