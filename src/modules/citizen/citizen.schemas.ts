import { z } from 'zod';
import { Id, ImageField } from '../../http/schemas.js';

export const SessionMethod = z
  .enum(['face', 'code', 'face+code', 'code+face'])
  .describe('face+code: two factors; code: an operator-requested code alone; code+face: such a session stepped up');

export const TreeHead = z
  .object({
    treeSize: z.number().int(),
    rootHash: z.string(),
    timestamp: z.number().int(),
    signature: z.string(),
    keyId: z.string(),
  })
  .meta({ id: 'SignedTreeHead' });

export const Receipt = z
  .object({
    kind: z.string(),
    auditEventId: z.string(),
    at: z.string(),
    leafIndex: z.number().int().nullable(),
    leafHash: z.string().nullable(),
    treeSize: z.number().int().nullable(),
  })
  .describe('where the transparency log holds this action: check it with an inclusion proof')
  .meta({ id: 'Receipt' });

export const Consent = z
  .object({
    id: z.string(),
    relyingPartyId: z.string(),
    purpose: z.string(),
    scope: z.enum(['segment', 'all']),
    source: z.enum(['enrolment', 'citizen', 'guardian', 'application']),
    grantedBy: z.string(),
    grantedAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    active: z.boolean(),
  })
  .meta({ id: 'Consent' });

export const Lock = z
  .object({
    id: z.string(),
    purpose: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    unlockedUntil: z.string().nullable(),
    removedAt: z.string().nullable(),
    active: z.boolean(),
  })
  .meta({ id: 'Lock' });

export const UsageItem = z
  .object({
    id: z.string(),
    at: z.string(),
    action: z.string(),
    result: z.string(),
    actor: z.object({ id: z.string(), role: z.string(), name: z.string().nullable() }),
    relyingPartyId: z.string().nullable(),
    purpose: z.string().nullable(),
    segment: z.string().nullable(),
    scoreBand: z.enum(['none', 'low', 'medium', 'high']),
    detail: z.record(z.string(), z.unknown()).nullable(),
    leafIndex: z.number().int().nullable(),
    leafHash: z.string().nullable(),
    leafVersion: z.number().int().nullable().describe('the leaf format (2: a salted commitment; 1: older)'),
    entry: z
      .string()
      .nullable()
      .describe(
        'version 2: the canonical entry the leaf commits to; with salt, leaf = {"commitment": ' +
          'HMAC-SHA256(salt, entry), "v": 2}. Version 1: the leaf text itself',
      ),
    salt: z.string().nullable().describe("version 2: the entry's salt, lowercase hex (32 bytes); null otherwise"),
    inclusionProof: z.object({ treeSize: z.number().int(), auditPath: z.array(z.string()) }).nullable(),
  })
  .meta({ id: 'UsageItem' });

export const Incident = z
  .object({
    id: z.string(),
    recordedAt: z.string(),
    responsible: z.object({ kind: z.string(), id: z.string(), name: z.string().nullable() }),
    scope: z.object({
      segmentId: z.string().nullable(),
      relyingPartyId: z.string().nullable(),
      from: z.string().nullable(),
      to: z.string().nullable(),
    }),
    description: z.string(),
    contact: z.string(),
    actions: z.record(z.string(), z.unknown()),
    notice: z.object({ status: z.string(), sentAt: z.string().nullable() }),
  })
  .meta({ id: 'CitizenIncident' });

export const Me = z
  .object({
    citizenId: z.string(),
    segment: z.string(),
    status: z.enum(['active', 'deleted', 'closed']),
    createdAt: z.string(),
    enrolledBy: z.string(),
    erasedAt: z.string().nullable(),
    birthDate: z.string().nullable(),
    minor: z.boolean(),
    guardians: z.array(z.string()),
    wards: z.array(z.string()),
    provenance: z
      .object({
        source: z.string().describe('the relying party (a bank) that collected the biometrics'),
        reference: z.string(),
        capturedAt: z.string(),
        receivedAt: z.string(),
        evidence: z.object({ kind: z.string(), reference: z.string(), at: z.string() }),
      })
      .nullable()
      .describe('where the biometrics came from when a party handed them over (a bank transfer); else null'),
    consents: z.array(Consent),
    locks: z.array(Lock),
    templates: z.array(
      z.object({
        templateId: z.string(),
        modelPack: z.string(),
        channel: z.string(),
        enrolledBy: z.string(),
        createdAt: z.string(),
        quality: z.record(z.string(), z.number()),
        liveness: z.number(),
        transformVersion: z.number().int(),
      }),
    ),
    contact: z
      .object({ email: z.string().optional(), phone: z.string().optional(), verifiedAt: z.string().optional() })
      .nullable(),
    session: z.object({ method: SessionMethod, expiresAt: z.string(), stepUpRequired: z.boolean() }),
  })
  .meta({ id: 'CitizenRecord' });

/** `?personId=`: a guardian acting for a minor in their care (default: the signed-in citizen). */
export const ForPerson = z.object({
  personId: z.string().min(3).max(64).optional().describe("a minor's citizenId, for their guardian"),
});

export const SignInBody = z
  .object({ citizenId: Id, image: ImageField.optional(), code: z.string().min(8).max(64).optional() })
  .refine((b) => (b.image === undefined) !== (b.code === undefined), 'send exactly one of image and code');

export const Session = z
  .object({
    token: z.string(),
    expiresAt: z.string(),
    citizenId: z.string(),
    method: SessionMethod,
    stepUpRequired: z
      .boolean()
      .describe('one factor only (an operator-requested code): grants, unlocks and contact changes need a step-up'),
  })
  .meta({ id: 'CitizenSession' });

export const SignInChallenge = z
  .object({
    signInToken: z.string(),
    expiresAt: z.string(),
    factors: z.array(z.enum(['face'])).describe('the factors shown so far'),
    secondFactors: z
      .array(z.enum(['code']))
      .describe('how to complete it: `code` is a one-time code sent to the contact (empty: no contact is held)'),
  })
  .describe('the face is one factor: complete the sign-in with a second (POST /v1/citizen/sessions/second-factor)')
  .meta({ id: 'SignInChallenge' });

export const SignInTokenBody = z.object({ signInToken: z.string().min(8).max(128) });

export const SecondFactorBody = z.object({
  signInToken: z.string().min(8).max(128),
  code: z.string().min(4).max(64),
});

export const CodeSent = z
  .object({
    channel: z.enum(['sms', 'email']),
    sentTo: z.string().describe('the address, masked'),
    expiresAt: z.string(),
  })
  .meta({ id: 'CodeSent' });

export const StepUpBody = z.object({ image: ImageField });

export const SteppedUp = z.object({ citizenId: z.string(), method: SessionMethod, expiresAt: z.string() });

export const Closed = z.object({ citizenId: z.string(), closedAt: z.string() });

export const ContactBody = z.object({
  email: z.email().optional(),
  phone: z
    .string()
    .regex(/^\+[1-9][0-9]{6,14}$/)
    .optional(),
});

export const ContactChangeRequested = z.object({
  confirmationToken: z.string(),
  channel: z.enum(['sms', 'email']),
  sentTo: z.string().describe('the new contact, masked: the confirmation code went there'),
  expiresAt: z.string(),
});

export const ContactConfirmation = z.object({
  confirmationToken: z.string().min(8).max(128),
  code: z.string().min(4).max(64),
});

export const ContactSet = z.object({
  contact: z.object({ email: z.string().optional(), phone: z.string().optional() }),
});

export const BiometricsErased = z.object({
  citizenId: z.string(),
  templatesErased: z.number().int(),
  grantsRevoked: z.number().int(),
  erasedAt: z.string(),
});

export const Export = z.record(z.string(), z.unknown());

export const IncidentList = z.object({ incidents: z.array(Incident) });

export const RelyingPartyDirectory = z.object({
  relyingParties: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      purposes: z.array(z.string()),
      segments: z.array(z.string()),
    }),
  ),
});
