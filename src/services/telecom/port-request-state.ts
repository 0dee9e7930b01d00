import type { ErrorCode } from '../../errors/app-error.js';

/**
 * A number's move from its donor operator to a recipient, as a pure state machine. A request is `pending`
 * from the recipient's application until `switchAt`; then exactly one of:
 * - `switched`: at `switchAt` the donor's contract ends and the recipient's starts (one transaction);
 * - `cancelled`: the recipient (for the subscriber) withdrew it before `switchAt`;
 * - `objected`: the donor objected before `switchAt`, for a reason the rules allow;
 * - `expired`: at `switchAt` the donor no longer served the number (the subscriber ended the contract).
 * Every closed state is final. The store applies a transition only to a row still `pending`, so a replayed
 * switch (a second instance, a restart after a crash) changes nothing.
 */
export type PortStatus = 'pending' | 'switched' | 'cancelled' | 'objected' | 'expired';

/** The reasons a donor may object for (the porting rules' closed list). */
export const OBJECTION_REASONS = [
  'outstanding_debt',
  'number_suspended',
  'court_order',
  'subscriber_data_mismatch',
] as const;
export type ObjectionReason = (typeof OBJECTION_REASONS)[number];

export interface PortRequestState {
  readonly status: PortStatus;
  readonly requestedAt: string;
  readonly switchAt: string;
}

export type PortEvent =
  | { readonly kind: 'cancel'; readonly at: string }
  | { readonly kind: 'object'; readonly at: string; readonly reason: string }
  /** The scheduler at or after `switchAt`; `donorServing`: the donor's contract still holds the number then. */
  | { readonly kind: 'switch'; readonly at: string; readonly donorServing: boolean };

export type PortTransition =
  | {
      readonly ok: true;
      readonly status: Exclude<PortStatus, 'pending'>;
      readonly closeReason: string;
      readonly objectionReason?: ObjectionReason;
    }
  | { readonly ok: false; readonly code: ErrorCode; readonly reason: string };

const refuse = (code: ErrorCode, reason: string): PortTransition => ({ ok: false, code, reason });

/**
 * The next state of a request on an event, or why the event is refused.
 * @example nextPortState(pending, { kind: 'object', at, reason: 'outstanding_debt' }) // { ok: true, status: 'objected', … }
 */
export function nextPortState(state: PortRequestState, event: PortEvent): PortTransition {
  if (state.status !== 'pending') return refuse('telecom.port_closed', state.status);
  const beforeSwitch = Date.parse(event.at) < Date.parse(state.switchAt);
  switch (event.kind) {
    case 'cancel':
      // From the switch instant on, the move is the scheduler's: a late cancellation cannot race it.
      return beforeSwitch
        ? { ok: true, status: 'cancelled', closeReason: 'cancelled' }
        : refuse('telecom.port_closed', 'switch_due');
    case 'object': {
      const reason = OBJECTION_REASONS.find((r) => r === event.reason);
      if (!reason) return refuse('telecom.objection_not_allowed', 'reason_not_allowed');
      if (!beforeSwitch) return refuse('telecom.objection_too_late', 'notice_period_over');
      return { ok: true, status: 'objected', closeReason: 'objected', objectionReason: reason };
    }
    case 'switch':
      if (beforeSwitch) return refuse('telecom.switch_too_early', 'not_due');
      return event.donorServing
        ? { ok: true, status: 'switched', closeReason: 'switched' }
        : { ok: true, status: 'expired', closeReason: 'donor_contract_ended' };
  }
}

/**
 * When a new request switches: `switchAt` if given and no earlier than the notice period after the request,
 * else the end of the notice period; `telecom.switch_too_early` for a requested instant inside it.
 */
export function switchInstant(
  requestedAt: string,
  noticeMinutes: number,
  switchAt?: string,
): { ok: true; switchAt: string } | { ok: false; code: ErrorCode; earliest: string } {
  const earliest = new Date(Date.parse(requestedAt) + noticeMinutes * 60_000).toISOString();
  if (switchAt === undefined) return { ok: true, switchAt: earliest };
  const at = new Date(switchAt).toISOString();
  return Date.parse(at) < Date.parse(earliest)
    ? { ok: false, code: 'telecom.switch_too_early', earliest }
    : { ok: true, switchAt: at };
}
