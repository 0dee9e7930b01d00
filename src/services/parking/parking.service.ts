import { isUniqueViolation } from '../../db/constraint-errors.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import { gateMatch } from '../gates/gate-decision.js';
import { eventHash, gateCall, serviceOperator } from '../gates/service-operator.js';
import type { ChargeRow, ChargesRepository } from '../payments/charges.repository.js';
import { idempotentCall, type CallContext, type Identification, type RegistryServices, type Tx } from '../registry.js';
import type { GateSettings } from '../transit/transit-settings.js';
import type { FacilityRow, ParkingRepository, SessionRow } from './parking.repository.js';
import { parkingCharge, type ParkingRule, type ParkingTariff } from './parking-tariff.js';

/** The purpose every parking operator is registered for and every driver consents to. */
export const PARKING_PURPOSE = 'parking';

/** Most sessions one listing returns. */
const SESSIONS_LIMIT = 200;

export interface ParkingEvent {
  readonly facilityId: string;
  readonly eventId: string;
  readonly direction: 'entry' | 'exit';
  readonly image: Uint8Array;
  readonly plate?: string | undefined;
}

export interface ParkingAnswer {
  readonly eventId: string;
  readonly decision: 'open' | 'refuse';
  readonly reason?: string;
  readonly sessionId?: string;
  readonly charge?: {
    readonly id: string;
    readonly amount: number;
    readonly currency: string;
    readonly rule: ParkingRule;
  };
}

/**
 * Car parks by face: an entry opens a session, an exit closes it and charges by duration. Every face goes
 * through the registry's identification (liveness required, the margin over the runner-up as at transit
 * gates); the session, the charge and the event's answer are written in its transaction, so the same `eventId`
 * answers the same and a session is never opened or charged twice. Parking charges are recorded (`invoiced`)
 * for the operator's own billing: the issue links no payment method to a driver.
 */
export class ParkingService {
  constructor(
    private readonly registry: Pick<RegistryServices, 'matching' | 'names'>,
    private readonly parking: ParkingRepository,
    private readonly charges: ChargesRepository,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly settings: GateSettings,
  ) {}

  async createFacility(ctx: CallContext, input: { name: string; segment: string; tariff: ParkingTariff }) {
    const operator = serviceOperator(ctx, PARKING_PURPOSE);
    if (!operator.segments.includes(input.segment)) {
      throw new AppError('parking.segment_not_allowed', 'the operator may not use this segment', {
        segment: input.segment,
      });
    }
    const id = this.ids.next('fac');
    const { tariff } = input;
    await this.parking.insertFacility({
      id,
      operator_id: operator.id,
      name: input.name,
      segment_id: input.segment,
      currency: tariff.currency,
      free_minutes: tariff.freeMinutes,
      per_hour: tariff.perHour,
      daily_max: tariff.dailyMax,
      created_at: isoNow(this.clock),
    });
    return { id };
  }

  async event(ctx: CallContext, input: ParkingEvent): Promise<ParkingAnswer> {
    const operator = serviceOperator(ctx, PARKING_PURPOSE);
    const fields = {
      facilityId: input.facilityId,
      eventId: input.eventId,
      direction: input.direction,
      plate: input.plate,
    };
    const requestHash = eventHash(fields, input.image);
    const earlier = await this.parking.event(operator.id, input.eventId);
    if (earlier) return replay(earlier, requestHash);
    const facility = await this.ownFacility(operator.id, input.facilityId);
    const event = { operatorId: operator.id, requestHash, ...input };
    try {
      return await this.registry.matching.identify(
        idempotentCall(gateCall(ctx), `parking-event:${input.eventId}`, { requestHash }),
        { image: input.image, purpose: PARKING_PURPOSE, segment: facility.segment_id, limit: 1, runnerUp: true },
        (tx, found) => this.decide(tx, facility, event, found),
      );
    } catch (e) {
      if (!(e instanceof AppError) || !e.code.startsWith('face.')) throw e;
      const answer: ParkingAnswer = { eventId: input.eventId, decision: 'refuse', reason: e.code };
      try {
        await this.parking.insertEvent(undefined, this.eventRow(event, answer));
      } catch (raced) {
        if (!isUniqueViolation(raced)) throw raced;
        return replay((await this.parking.event(operator.id, input.eventId))!, requestHash);
      }
      return answer;
    }
  }

  /** A facility's sessions and their charges (its operator only). */
  async sessionsAt(ctx: CallContext, facilityId: string) {
    const operator = serviceOperator(ctx, PARKING_PURPOSE);
    await this.ownFacility(operator.id, facilityId);
    const sessions = await this.parking.sessionsAt(facilityId, SESSIONS_LIMIT);
    const charges = await this.chargesOf(sessions);
    return { sessions: sessions.map((s) => ({ ...sessionView(s, charges), personId: s.parker_ref })) };
  }

  /** The signed-in citizen's parking sessions and charges, with every operator. */
  async citizenSessions(personId: string) {
    const names = await this.registry.names.namesOf(personId);
    const sessions = await this.parking.sessionsOf(
      names.map((n) => ({ operatorId: n.partyId, parkerRef: n.pseudonym })),
      SESSIONS_LIMIT,
    );
    const charges = await this.chargesOf(sessions);
    return {
      sessions: sessions.map((s) => ({
        ...sessionView(s, charges),
        operatorId: s.operator_id,
        facilityName: s.facility_name,
      })),
    };
  }

  private async decide(
    tx: Tx,
    facility: FacilityRow,
    event: ParkingEvent & { operatorId: string; requestHash: string },
    found: Identification,
  ): Promise<ParkingAnswer> {
    const answer = await this.apply(tx, facility, event, found);
    await this.parking.insertEvent(tx, this.eventRow(event, answer));
    return answer;
  }

  private async apply(
    tx: Tx,
    facility: FacilityRow,
    event: ParkingEvent & { operatorId: string },
    found: Identification,
  ): Promise<ParkingAnswer> {
    const refuse = (reason: string, sessionId?: string): ParkingAnswer => ({
      eventId: event.eventId,
      decision: 'refuse',
      reason,
      ...(sessionId ? { sessionId } : {}),
    });
    const match = gateMatch(found, this.settings.margin);
    if (!match.match) return refuse(match.reason);
    const now = isoNow(this.clock);
    const open = await this.parking.openSession(tx, facility.id, match.personId);
    if (event.direction === 'entry') {
      if (open) return refuse('session_open', open.id);
      const sessionId = this.ids.next('pks');
      await this.parking.insertSession(tx, {
        id: sessionId,
        operator_id: event.operatorId,
        facility_id: facility.id,
        parker_ref: match.personId,
        plate: event.plate ?? null,
        status: 'open',
        entered_at: now,
        exited_at: null,
        charge_id: null,
      });
      return { eventId: event.eventId, decision: 'open', sessionId };
    }
    if (!open) return refuse('no_session');
    const tariff = {
      currency: facility.currency,
      freeMinutes: facility.free_minutes,
      perHour: facility.per_hour,
      dailyMax: facility.daily_max,
    };
    const due = parkingCharge(tariff, open.entered_at, now);
    const chargeId = this.ids.next('chg');
    await this.charges.insert(tx, {
      id: chargeId,
      operator_id: event.operatorId,
      payer_ref: match.personId,
      service: 'parking',
      amount: due.amount,
      currency: facility.currency,
      rule: due.rule,
      token: null,
      status: 'invoiced',
      attempts: 0,
      created_at: now,
      settled_at: null,
    });
    await this.parking.closeSession(tx, open.id, now, chargeId);
    return {
      eventId: event.eventId,
      decision: 'open',
      sessionId: open.id,
      charge: { id: chargeId, amount: due.amount, currency: facility.currency, rule: due.rule },
    };
  }

  private eventRow(event: { operatorId: string; eventId: string; requestHash: string }, answer: ParkingAnswer) {
    return {
      operator_id: event.operatorId,
      event_id: event.eventId,
      request_hash: event.requestHash,
      answer: JSON.stringify(answer),
      created_at: isoNow(this.clock),
    };
  }

  private async ownFacility(operatorId: string, facilityId: string): Promise<FacilityRow> {
    const facility = await this.parking.facility(facilityId);
    if (!facility || facility.operator_id !== operatorId) {
      throw new AppError('parking.facility_not_found', 'no such facility of this operator', { facilityId });
    }
    return facility;
  }

  private async chargesOf(sessions: readonly SessionRow[]) {
    const ids = sessions.flatMap((s) => (s.charge_id ? [s.charge_id] : []));
    return new Map((await this.charges.many(ids)).map((c) => [c.id, c]));
  }
}

function replay(earlier: { request_hash: string; event_id: string; answer: string }, requestHash: string) {
  if (earlier.request_hash !== requestHash) {
    throw new AppError('idempotency.key_reused', 'this eventId was used for a different event', {
      eventId: earlier.event_id,
    });
  }
  return JSON.parse(earlier.answer) as ParkingAnswer;
}

function sessionView(s: SessionRow, charges: Map<string, ChargeRow>) {
  const charge = s.charge_id ? charges.get(s.charge_id) : undefined;
  return {
    sessionId: s.id,
    facilityId: s.facility_id,
    status: s.status,
    plate: s.plate,
    enteredAt: s.entered_at,
    exitedAt: s.exited_at,
    charge: charge ? { id: charge.id, amount: charge.amount, currency: charge.currency, rule: charge.rule } : null,
  };
}
