import { z } from 'zod';
import { Id, ImageField } from '../../http/schemas.js';
import { EVENT_ID } from '../gates/gate-decision.js';

const Money = z.number().int().min(0).max(1_000_000_000);
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as "RUB"');
export const EventId = z.string().regex(EVENT_ID, 'the gate’s own id for the event: letters, digits, ._:- (≤ 100)');
const Token = z.string().regex(/^tok_[A-Za-z0-9_]{1,100}$/, 'a payment token from the payment port ("tok_…")');

export const TransitTariff = z
  .object({
    currency: Currency,
    baseFare: Money.describe('the first pass of a trip, in minor units'),
    transferMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .describe('a pass this soon after a trip began is free'),
    dailyCap: Money.describe('no more than this is charged in a UTC day'),
  })
  .meta({ id: 'TransitTariff' });

export const GateParams = z.object({ gateId: z.string().regex(EVENT_ID, 'letters, digits, ._:- (≤ 100)') });
export const Gate = z.object({ name: z.string().min(1).max(200) });
export const GateView = z.object({ gateId: z.string(), name: z.string() });

export const RiderLink = z.object({
  personId: Id.describe("the operator's pseudonym of the person (from their enrolment or an identification)"),
  paymentMethod: z.object({ token: Token }),
});
export const RiderParams = z.object({ personId: Id });
export const Rider = z
  .object({ personId: z.string(), blocked: z.boolean(), debt: z.number().int() })
  .meta({ id: 'TransitRider' });
export const Settlement = z.object({ paymentMethod: z.object({ token: Token }).optional() }).default({});

export const PassRequest = z.object({
  gateId: z.string().regex(EVENT_ID, 'the gate’s id'),
  eventId: EventId,
  image: ImageField.describe('the face at the gate (liveness required)'),
});

export const PassAnswer = z
  .object({
    eventId: z.string(),
    decision: z.enum(['open', 'refuse']),
    reason: z
      .string()
      .optional()
      .describe('no_match, ambiguous, not_a_rider, payment_declined, rider_blocked, or the engine’s code (face.…)'),
    riderId: z.string().optional().describe("the rider under the operator's pseudonym"),
    charge: z
      .object({
        id: z.string(),
        amount: z.number().int(),
        currency: z.string(),
        rule: z.enum(['fare', 'transfer', 'daily_cap']),
      })
      .optional(),
  })
  .meta({ id: 'TransitPass' });

const Trip = z.object({
  passId: z.string(),
  operatorId: z.string(),
  gateId: z.string(),
  eventId: z.string(),
  at: z.string(),
  decision: z.enum(['open', 'refuse']),
  reason: z.string().nullable(),
  charge: z
    .object({
      id: z.string(),
      amount: z.number().int(),
      currency: z.string(),
      rule: z.string(),
      status: z.enum(['pending', 'captured', 'declined', 'void', 'invoiced', 'settled']),
    })
    .nullable(),
});
export const Trips = z
  .object({ trips: z.array(Trip.extend({ riderId: z.string().nullable() })) })
  .meta({ id: 'TransitTrips' });
export const CitizenTrips = z.object({ trips: z.array(Trip) }).meta({ id: 'CitizenTransitTrips' });
