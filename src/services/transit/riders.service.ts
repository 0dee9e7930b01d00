import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { Transactor } from '../../db/executor.js';
import { serviceOperator } from '../gates/service-operator.js';
import type { ChargeOutbox } from '../payments/charge-outbox.js';
import type { ChargeRow, ChargesRepository } from '../payments/charges.repository.js';
import type { CallContext, RegistryServices } from '../registry.js';
import type { Tariff } from './fares.js';
import type { PassAnswer } from './pass-answer.js';
import type { PassRow, RiderRow, TransitRepository } from './transit.repository.js';
import { TRANSIT_PURPOSE } from './transit-settings.js';

/** Most passes one listing returns. */
const TRIPS_LIMIT = 200;

/**
 * A transit operator's set-up and its riders: the tariff, the gates, riders linked to payment tokens (by the
 * operator's own pseudonym), their trips, and the settlement that lifts a block; and a citizen's own trips
 * with every operator.
 */
export class RidersService {
  constructor(
    private readonly registry: Pick<RegistryServices, 'names'>,
    private readonly transit: TransitRepository,
    private readonly charges: ChargesRepository,
    private readonly outbox: ChargeOutbox,
    private readonly transactions: Transactor,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  async putTariff(ctx: CallContext, tariff: Tariff) {
    const operator = serviceOperator(ctx, TRANSIT_PURPOSE);
    await this.transit.putTariff({
      operator_id: operator.id,
      currency: tariff.currency,
      base_fare: tariff.baseFare,
      transfer_minutes: tariff.transferMinutes,
      daily_cap: tariff.dailyCap,
      updated_at: isoNow(this.clock),
    });
    return tariff;
  }

  async putGate(ctx: CallContext, gateId: string, name: string) {
    const operator = serviceOperator(ctx, TRANSIT_PURPOSE);
    await this.transit.putGate({ operator_id: operator.id, gate_id: gateId, name, created_at: isoNow(this.clock) });
    return { gateId, name };
  }

  /** Links the operator's pseudonym of a person (one it was given) to a payment token, or replaces the token. */
  async link(ctx: CallContext, personId: string, token: string) {
    const operator = serviceOperator(ctx, TRANSIT_PURPOSE);
    if (!(await this.registry.names.known(ctx, personId))) {
      throw new AppError('person.not_found', 'no person known to this operator by that id', { personId });
    }
    await this.transit.putRider({
      operator_id: operator.id,
      rider_ref: personId,
      payment_token: token,
      blocked: 0,
      debt: 0,
      created_at: isoNow(this.clock),
    });
    return riderView((await this.transit.rider(operator.id, personId))!);
  }

  async unlink(ctx: CallContext, personId: string): Promise<void> {
    const operator = serviceOperator(ctx, TRANSIT_PURPOSE);
    if (!(await this.transit.deleteRider(operator.id, personId))) throw riderNotFound(personId);
  }

  /**
   * Settles a blocked rider's debt through the port (with a new token, if given): the settlement is a charge of
   * the outbox like any other, so a timeout is retried and the block lifts when it is captured.
   */
  async settle(ctx: CallContext, personId: string, token?: string) {
    const operator = serviceOperator(ctx, TRANSIT_PURPOSE);
    const rider = await this.transit.rider(operator.id, personId);
    if (!rider) throw riderNotFound(personId);
    if (!rider.blocked) return riderView(rider);
    const chargeId = this.ids.next('chg');
    await this.transactions.transaction(async (tx) => {
      if (token) await this.transit.setToken(tx, operator.id, personId, token);
      await this.charges.insert(tx, {
        id: chargeId,
        operator_id: operator.id,
        payer_ref: personId,
        service: 'transit',
        amount: rider.debt,
        currency: (await this.transit.tariff(operator.id, tx))?.currency ?? 'XXX',
        rule: 'settlement',
        token: token ?? rider.payment_token,
        status: 'pending',
        attempts: 0,
        created_at: isoNow(this.clock),
        settled_at: null,
      });
    });
    const status = await this.outbox.collect(chargeId);
    if (status === 'pending') {
      throw new AppError('payment.timeout', 'the payment provider did not answer; the settlement is retried', {
        chargeId,
      });
    }
    if (status !== 'captured') {
      throw new AppError('transit.settlement_declined', 'the payment method was declined', { chargeId });
    }
    return riderView((await this.transit.rider(operator.id, personId))!);
  }

  async trips(ctx: CallContext, personId: string) {
    const operator = serviceOperator(ctx, TRANSIT_PURPOSE);
    if (!(await this.transit.rider(operator.id, personId)) && !(await this.registry.names.known(ctx, personId))) {
      throw riderNotFound(personId);
    }
    return { trips: await this.tripsOf([{ operatorId: operator.id, riderRef: personId }]) };
  }

  /** The signed-in citizen's passes and charges with every transit operator. */
  async citizenTrips(personId: string) {
    const names = await this.registry.names.namesOf(personId);
    const trips = await this.tripsOf(names.map((n) => ({ operatorId: n.partyId, riderRef: n.pseudonym })));
    // The citizen sees which operator; the operator's pseudonym for them is the operator's own.
    return { trips: trips.map((t) => withoutRider(t)) };
  }

  private async tripsOf(riders: { operatorId: string; riderRef: string }[]) {
    const passes = await this.transit.passesOf(riders, TRIPS_LIMIT);
    const charges = new Map(
      (await this.charges.many(passes.flatMap((p) => (p.charge_id ? [p.charge_id] : [])))).map((c) => [c.id, c]),
    );
    return passes.map((p) => tripView(p, p.charge_id ? charges.get(p.charge_id) : undefined));
  }
}

function withoutRider<T extends { riderId: unknown }>(trip: T): Omit<T, 'riderId'> {
  const copy: Partial<T> = { ...trip };
  delete copy.riderId;
  return copy as Omit<T, 'riderId'>;
}

function riderNotFound(personId: string) {
  return new AppError('transit.rider_not_found', 'no rider of this operator by that id', { personId });
}

function riderView(r: RiderRow) {
  return { personId: r.rider_ref, blocked: r.blocked === 1, debt: r.debt };
}

function tripView(p: PassRow, charge: ChargeRow | undefined) {
  const answer = JSON.parse(p.answer) as PassAnswer;
  return {
    passId: p.id,
    operatorId: p.operator_id,
    riderId: p.rider_ref,
    gateId: p.gate_id,
    eventId: p.event_id,
    at: p.created_at,
    decision: answer.decision,
    reason: answer.reason ?? null,
    charge: charge
      ? { id: charge.id, amount: charge.amount, currency: charge.currency, rule: charge.rule, status: charge.status }
      : null,
  };
}
