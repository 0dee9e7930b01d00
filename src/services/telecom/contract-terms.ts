import type { ErrorCode } from '../../errors/app-error.js';

/** A contract as stored (the fields its rules read). */
export interface ContractTerms {
  readonly status: 'active' | 'ending' | 'ended';
  readonly endsAt: string | null;
  readonly endedAt: string | null;
}

/**
 * The contract's status at `now`: a requested ending takes effect at its instant even before the scheduler
 * has written it, so no answer shows a contract running past the end its holder chose.
 */
export function statusAt(c: ContractTerms, now: string): { status: ContractTerms['status']; endedAt: string | null } {
  if (c.status === 'ending' && c.endsAt !== null && Date.parse(c.endsAt) <= Date.parse(now)) {
    return { status: 'ended', endedAt: c.endsAt };
  }
  return { status: c.status, endedAt: c.endedAt };
}

/**
 * Whether an ending may be requested: the contract still runs, and its instant is not before the application's
 * own time (`telecom.effective_before_application`). Returns the normalised instant.
 */
export function endingRequest(
  c: ContractTerms,
  appliedAt: string,
  effectiveAt: string,
): { ok: true; effectiveAt: string } | { ok: false; code: ErrorCode } {
  const current = statusAt(c, appliedAt).status;
  if (current === 'ended') return { ok: false, code: 'telecom.contract_ended' };
  if (current === 'ending') return { ok: false, code: 'telecom.ending_pending' };
  if (Date.parse(effectiveAt) < Date.parse(appliedAt))
    return { ok: false, code: 'telecom.effective_before_application' };
  return { ok: true, effectiveAt: new Date(effectiveAt).toISOString() };
}

/** Whether a pending ending may still be withdrawn at `now` (before it takes effect). */
export function endingCancellable(c: ContractTerms, now: string): { ok: true } | { ok: false; code: ErrorCode } {
  const current = statusAt(c, now).status;
  if (current === 'ended') return { ok: false, code: 'telecom.contract_ended' };
  if (current !== 'ending') return { ok: false, code: 'telecom.not_ending' };
  return { ok: true };
}

/** A subscriber's next contract is refused once they hold `max` (across all operators). */
export function contractLimitReached(held: number, max: number): boolean {
  return held >= max;
}
