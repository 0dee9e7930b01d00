import type { FareRule } from './fares.js';

/** Why a gate stayed shut: the gate's own reasons, or the engine's code (`face.spoof_suspected`, …). */
export type PassReason =
  'no_match' | 'ambiguous' | 'not_a_rider' | 'payment_declined' | 'rider_blocked' | `face.${string}`;

/** The gate's answer to one pass, as stored and replayed for its `eventId`. */
export interface PassAnswer {
  readonly eventId: string;
  readonly decision: 'open' | 'refuse';
  readonly reason?: PassReason;
  readonly riderId?: string;
  readonly charge?: {
    readonly id: string;
    readonly amount: number;
    readonly currency: string;
    readonly rule: FareRule;
  };
}

export function refusal(eventId: string, reason: PassReason, riderId?: string): PassAnswer {
  return { eventId, decision: 'refuse', reason, ...(riderId ? { riderId } : {}) };
}
