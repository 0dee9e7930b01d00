import { z } from 'zod';
import { Id, Purpose } from '../../http/schemas.js';
import { Consent, ForPerson, Lock, Receipt, TreeHead, UsageItem } from './citizen.schemas.js';

export const ConsentList = z.object({ consents: z.array(Consent) });

export const GrantBody = z.object({
  relyingPartyId: Id,
  purpose: Purpose,
  expiresAt: z.iso.datetime().optional(),
  scope: z.enum(['segment', 'all']).default('segment').describe('`all`: also from the party’s other segments'),
  personId: Id.optional().describe("a minor's citizenId, for their guardian"),
});

export const ConsentChange = z.object({ id: z.string(), consent: Consent, receipt: Receipt });

export const ConsentParams = z.object({ id: Id });

export const LockList = z.object({ locks: z.array(Lock) });

export const LockBody = z.object({ purpose: Purpose.optional(), personId: Id.optional() });

export const LockParams = z.object({ id: Id });

export const LockChange = Lock.extend({ receipt: Receipt });

export const UnlockQuery = z.object({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
});

export const UnlockBody = z.object({
  minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
});

export const UsageQuery = ForPerson.extend({
  action: z.string().max(64).optional(),
  purpose: Purpose.optional(),
  relyingPartyId: Id.optional(),
  result: z.string().max(64).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const UsagePage = z.object({
  items: z.array(UsageItem),
  treeHead: TreeHead.nullable(),
  next: z.string().nullable(),
});
