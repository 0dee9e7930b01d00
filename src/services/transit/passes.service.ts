import { isUniqueViolation } from '../../db/constraint-errors.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import { gateMatch } from '../gates/gate-decision.js';
import { eventHash, gateCall, serviceOperator } from '../gates/service-operator.js';
import type { ChargeOutbox } from '../payments/charge-outbox.js';
import type { ChargesRepository } from '../payments/charges.repository.js';
import { idempotentCall, type CallContext, type Identification, type RegistryServices, type Tx } from '../registry.js';
import { fareFor, faresWindowStart } from './fares.js';
import { refusal, type PassAnswer } from './pass-answer.js';
import type { PassRow, TariffRow, TransitRepository } from './transit.repository.js';
import { TRANSIT_PURPOSE, type GateSettings } from './transit-settings.js';

export interface GatePass {
  readonly gateId: string;
  readonly eventId: string;
  readonly image: Uint8Array;
}

/** The pass as the registry's transaction decided it. */
interface Decided {
  readonly passId: string;
  readonly chargeId: string | null;
  readonly charging: boolean;
}

/**
 * Gate passes paid by face. The registry identifies the face (liveness required, consent, locks, pseudonyms,
 * the audit record); in its transaction this service applies "never the wrong person" (the margin over the
 * runner-up), the rider's link and block, the fare, and writes the pass and its charge into the payment
 * outbox. The charge goes to the port after the commit; the gate's answer is the pass row, so the same
 * `eventId` answers the same after a retry or a restart and is never charged twice.
 */
export class PassesService {
  constructor(
    private readonly registry: RegistryServices,
    private readonly transit: TransitRepository,
    private readonly charges: ChargesRepository,
    private readonly outbox: ChargeOutbox,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly settings: GateSettings,
  ) {}

  async pass(ctx: CallContext, input: GatePass): Promise<PassAnswer> {
    const operator = serviceOperator(ctx, TRANSIT_PURPOSE);
    const requestHash = eventHash({ gateId: input.gateId, eventId: input.eventId }, input.image);
    const earlier = await this.transit.pass(operator.id, input.eventId);
    if (earlier) return this.replay(earlier, requestHash);
    if (!(await this.transit.gateExists(operator.id, input.gateId))) {
      throw new AppError('transit.gate_not_found', 'no such gate of this operator', { gateId: input.gateId });
    }
    const tariff = await this.transit.tariff(operator.id);
    if (!tariff) throw new AppError('transit.tariff_not_set', 'set the tariff before the gates open');
    const row = { operatorId: operator.id, requestHash, ...input };
    let decided: Decided;
    try {
      decided = await this.registry.matching.identify(
        idempotentCall(gateCall(ctx), `transit-pass:${input.eventId}`, { requestHash }),
        { image: input.image, purpose: TRANSIT_PURPOSE, segment: operator.segment, limit: 1, runnerUp: true },
        (tx, found) => this.decide(tx, row, tariff, found),
      );
    } catch (e) {
      // The engine's refusals (no face, two faces, a spoof) are the gate's answer, kept for the event too.
      if (!(e instanceof AppError) || !e.code.startsWith('face.')) throw e;
      return this.refuseUnread(row, e.code);
    }
    return this.settle(operator.id, input.eventId, decided);
  }

  /** The answer already given to this event, once its charge (if a crash left it unsent) is sent. */
  private async replay(earlier: PassRow, requestHash: string): Promise<PassAnswer> {
    if (earlier.request_hash !== requestHash) {
      throw new AppError('idempotency.key_reused', 'this eventId was used for a different pass', {
        eventId: earlier.event_id,
      });
    }
    if (earlier.state === 'done') return JSON.parse(earlier.answer) as PassAnswer;
    const decided = { passId: earlier.id, chargeId: earlier.charge_id, charging: true };
    return this.settle(earlier.operator_id, earlier.event_id, decided);
  }

  /** Sends a pass's charge to the port (unless there is none to send) and returns the pass's final answer. */
  private async settle(operatorId: string, eventId: string, decided: Decided): Promise<PassAnswer> {
    if (decided.charging && decided.chargeId) {
      // A timeout leaves the charge in the outbox; the gate opens (the rider is blocked if it is later declined).
      if ((await this.outbox.collect(decided.chargeId)) === 'pending') await this.transit.markDone(decided.passId);
    }
    const row = await this.transit.pass(operatorId, eventId);
    return JSON.parse(row!.answer) as PassAnswer;
  }

  private async decide(
    tx: Tx,
    pass: { operatorId: string; requestHash: string; gateId: string; eventId: string },
    tariff: TariffRow,
    found: Identification,
  ): Promise<Decided> {
    const passId = this.ids.next('pas');
    const at = isoNow(this.clock);
    const write = (answer: PassAnswer, riderRef: string | null, chargeId: string | null, charging: boolean) =>
      this.transit.insertPass(tx, {
        id: passId,
        operator_id: pass.operatorId,
        event_id: pass.eventId,
        request_hash: pass.requestHash,
        gate_id: pass.gateId,
        rider_ref: riderRef,
        decision: answer.decision,
        reason: answer.reason ?? null,
        charge_id: chargeId,
        state: charging ? 'charging' : 'done',
        answer: JSON.stringify(answer),
        created_at: at,
      });
    const match = gateMatch(found, this.settings.margin);
    if (!match.match) {
      await write(refusal(pass.eventId, match.reason), null, null, false);
      return { passId, chargeId: null, charging: false };
    }
    const riderRef = match.personId;
    const rider = await this.transit.rider(pass.operatorId, riderRef, tx);
    if (!rider || rider.blocked) {
      await write(refusal(pass.eventId, rider ? 'rider_blocked' : 'not_a_rider', riderRef), riderRef, null, false);
      return { passId, chargeId: null, charging: false };
    }
    const earlier = await this.transit.openedSince(tx, pass.operatorId, riderRef, faresWindowStart(this.clock.now()));
    const fare = fareFor(
      {
        currency: tariff.currency,
        baseFare: tariff.base_fare,
        transferMinutes: tariff.transfer_minutes,
        dailyCap: tariff.daily_cap,
      },
      this.clock.now(),
      earlier.map((p) => ({ at: p.at, amount: p.amount, rule: p.rule as 'fare' })),
    );
    const chargeId = this.ids.next('chg');
    const charging = fare.amount > 0;
    await this.charges.insert(tx, {
      id: chargeId,
      operator_id: pass.operatorId,
      payer_ref: riderRef,
      service: 'transit',
      amount: fare.amount,
      currency: tariff.currency,
      rule: fare.rule,
      token: rider.payment_token,
      // Nothing to collect for a transfer or a capped pass.
      status: charging ? 'pending' : 'captured',
      attempts: 0,
      created_at: at,
      settled_at: charging ? null : at,
    });
    const answer: PassAnswer = {
      eventId: pass.eventId,
      decision: 'open',
      riderId: riderRef,
      charge: { id: chargeId, amount: fare.amount, currency: tariff.currency, rule: fare.rule },
    };
    await write(answer, riderRef, chargeId, charging);
    return { passId, chargeId, charging };
  }

  /** A pass the engine could not read (no face, two faces, a spoof): refused, kept for its event id. */
  private async refuseUnread(
    pass: { operatorId: string; requestHash: string; gateId: string; eventId: string },
    code: string,
  ): Promise<PassAnswer> {
    const answer = refusal(pass.eventId, code as `face.${string}`);
    try {
      await this.transit.insertPass(undefined, {
        id: this.ids.next('pas'),
        operator_id: pass.operatorId,
        event_id: pass.eventId,
        request_hash: pass.requestHash,
        gate_id: pass.gateId,
        rider_ref: null,
        decision: 'refuse',
        reason: code,
        charge_id: null,
        state: 'done',
        answer: JSON.stringify(answer),
        created_at: isoNow(this.clock),
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return this.replay((await this.transit.pass(pass.operatorId, pass.eventId))!, pass.requestHash);
    }
    return answer;
  }
}
