import { isoNow, type Clock } from '../../ports/clock.js';
import type { ChargeListener } from '../payments/charge-outbox.js';
import type { ChargesRepository } from '../payments/charges.repository.js';
import { refusal, type PassAnswer } from './pass-answer.js';
import type { TransitRepository } from './transit.repository.js';

/**
 * What the port's answer to a transit charge means, in the transaction that records it:
 * - a settlement captured clears the rider's debt and block;
 * - a fare declined before the gate had its answer keeps the gate shut (`payment_declined`, nothing owed) and
 *   blocks the rider until they settle through the port;
 * - a fare declined after the gate opened (the port had timed out) becomes the rider's debt, and blocks them;
 * - a fare captured finishes its pass.
 */
export function transitChargeConsequences(
  transit: TransitRepository,
  charges: ChargesRepository,
  clock: Clock,
): ChargeListener {
  return async (tx, charge, outcome) => {
    const at = isoNow(clock);
    if (charge.rule === 'settlement') {
      if (outcome === 'captured') {
        await transit.unblock(tx, charge.operator_id, charge.payer_ref);
        await charges.clearDeclined(tx, charge.operator_id, charge.payer_ref, at);
      }
      return;
    }
    const pass = await transit.passByCharge(charge.id, tx);
    const undelivered = pass?.state === 'charging';
    if (outcome === 'captured') {
      if (pass && undelivered) {
        await transit.finishPass(tx, pass.id, { decision: pass.decision, reason: pass.reason, json: pass.answer });
      }
      return;
    }
    if (pass && undelivered) {
      const answer: PassAnswer = refusal(pass.event_id, 'payment_declined', charge.payer_ref);
      await transit.finishPass(tx, pass.id, {
        decision: 'refuse',
        reason: 'payment_declined',
        json: JSON.stringify(answer),
      });
      await charges.voidCharge(tx, charge.id);
      await transit.block(tx, charge.operator_id, charge.payer_ref, 0);
      return;
    }
    await transit.block(tx, charge.operator_id, charge.payer_ref, charge.amount);
  };
}
