import { describe, expect, it } from 'vitest';
import { contractLimitReached, endingCancellable, endingRequest, statusAt } from './contract-terms.js';

const now = '2026-12-01T12:00:00.000Z';
const active = { status: 'active', endsAt: null, endedAt: null } as const;
const ending = (endsAt: string) => ({ status: 'ending', endsAt, endedAt: null }) as const;

describe('contract terms', () => {
  it('an ending takes effect at its instant, even before the scheduler writes it', () => {
    expect(statusAt(ending('2026-12-01T12:00:00.000Z'), now)).toEqual({
      status: 'ended',
      endedAt: '2026-12-01T12:00:00.000Z',
    });
    expect(statusAt(ending('2026-12-01T12:00:00.001Z'), now)).toEqual({ status: 'ending', endedAt: null });
    expect(statusAt(active, now)).toEqual({ status: 'active', endedAt: null });
  });

  it('an ending may not take effect before the application', () => {
    expect(endingRequest(active, now, '2026-12-01T11:59:59.999Z')).toEqual({
      ok: false,
      code: 'telecom.effective_before_application',
    });
    expect(endingRequest(active, now, now)).toEqual({ ok: true, effectiveAt: now });
    expect(endingRequest(active, now, '2026-12-31T00:00:00+05:00')).toEqual({
      ok: true,
      effectiveAt: '2026-12-30T19:00:00.000Z',
    });
  });

  it('an ending is asked for once, and never of an ended contract', () => {
    expect(endingRequest(ending('2026-12-05T00:00:00.000Z'), now, now)).toEqual({
      ok: false,
      code: 'telecom.ending_pending',
    });
    expect(endingRequest({ status: 'ended', endsAt: now, endedAt: now }, now, now)).toEqual({
      ok: false,
      code: 'telecom.contract_ended',
    });
    expect(endingRequest(ending('2026-12-01T00:00:00.000Z'), now, now)).toEqual({
      ok: false,
      code: 'telecom.contract_ended',
    });
  });

  it('a pending ending may be withdrawn until it takes effect', () => {
    expect(endingCancellable(ending('2026-12-05T00:00:00.000Z'), now)).toEqual({ ok: true });
    expect(endingCancellable(ending(now), now)).toEqual({ ok: false, code: 'telecom.contract_ended' });
    expect(endingCancellable(active, now)).toEqual({ ok: false, code: 'telecom.not_ending' });
  });

  it('the contract limit counts what the subscriber holds', () => {
    expect(contractLimitReached(9, 10)).toBe(false);
    expect(contractLimitReached(10, 10)).toBe(true);
  });
});
