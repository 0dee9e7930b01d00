import { z } from 'zod';
import { Id } from '../../http/schemas.js';
import { Me } from '../citizen/citizen.schemas.js';

export const PersonRecord = Me.omit({ contact: true, session: true })
  .extend({ personId: z.string().describe('the same as citizenId (the name operators used before citizen accounts)') })
  .describe('what an operator sees of a person: metadata, consents, locks, guardians; never a template vector')
  .meta({ id: 'PersonRecord' });

export const PersonParams = z.object({ personId: Id });

export const Erased = z.object({ personId: z.string(), templatesErased: z.number().int() });

export const NewGuardian = z.object({ guardianId: Id.describe("the guardian's citizenId") });

export const Guardianship = z.object({ personId: z.string(), guardianId: z.string() });

export const GuardianshipParams = z.object({ personId: Id, guardianId: Id });

export const SignInCode = z
  .object({
    channel: z.enum(['sms', 'email']),
    sentTo: z.string().describe("the citizen's verified contact, masked: the code went there, never to the caller"),
    expiresAt: z.string(),
  })
  .meta({ id: 'SignInCodeSent' });
