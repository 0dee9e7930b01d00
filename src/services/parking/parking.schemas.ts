import { z } from 'zod';
import { Id, ImageField, SegmentId } from '../../http/schemas.js';
import { Currency, EventId } from '../transit/transit.schemas.js';

const Money = z.number().int().min(0).max(1_000_000_000);

export const NewFacility = z.object({
  name: z.string().min(1).max(200),
  segment: SegmentId.describe('where the drivers are enrolled and searched (one of the operator’s segments)'),
  tariff: z.object({
    currency: Currency,
    freeMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60),
    perHour: Money.describe('each started hour, in minor units'),
    dailyMax: Money.describe('the most any 24 hours cost'),
  }),
});
export const FacilityCreated = z.object({ id: z.string() }).meta({ id: 'ParkingFacilityCreated' });
export const FacilityParams = z.object({ id: Id });

export const ParkingEventRequest = z.object({
  facilityId: Id,
  eventId: EventId,
  direction: z.enum(['entry', 'exit']),
  image: ImageField.describe('the driver’s face at the barrier (liveness required)'),
  plate: z.string().min(1).max(20).optional().describe('the number plate read at the barrier, kept with the session'),
});

const Charge = z.object({ id: z.string(), amount: z.number().int(), currency: z.string(), rule: z.string() });

export const ParkingEventAnswer = z
  .object({
    eventId: z.string(),
    decision: z.enum(['open', 'refuse']),
    reason: z.string().optional().describe('no_match, ambiguous, session_open, no_session, or the engine’s code'),
    sessionId: z.string().optional(),
    charge: Charge.extend({ rule: z.enum(['free', 'duration', 'daily_max']) }).optional(),
  })
  .meta({ id: 'ParkingEventAnswer' });

const Session = z.object({
  sessionId: z.string(),
  facilityId: z.string(),
  status: z.enum(['open', 'closed']),
  plate: z.string().nullable(),
  enteredAt: z.string(),
  exitedAt: z.string().nullable(),
  charge: Charge.nullable(),
});
export const FacilitySessions = z
  .object({ sessions: z.array(Session.extend({ personId: z.string() })) })
  .meta({ id: 'ParkingSessions' });
export const CitizenSessions = z
  .object({ sessions: z.array(Session.extend({ operatorId: z.string(), facilityName: z.string() })) })
  .meta({ id: 'CitizenParkingSessions' });
