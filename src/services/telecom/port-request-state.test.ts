import { describe, expect, it } from 'vitest';
import {
  nextPortState,
  OBJECTION_REASONS,
  switchInstant,
  type PortEvent,
  type PortRequestState,
  type PortStatus,
} from './port-request-state.js';

const requestedAt = '2026-12-01T10:00:00.000Z';
const switchAt = '2026-12-02T10:00:00.000Z';
const before = '2026-12-02T09:59:59.999Z';
const after = '2026-12-02T10:00:00.001Z';
const state = (status: PortStatus = 'pending'): PortRequestState => ({ status, requestedAt, switchAt });

describe('port request state machine', () => {
  it('pending: the recipient cancels before the switch', () => {
    expect(nextPortState(state(), { kind: 'cancel', at: before })).toEqual({
      ok: true,
      status: 'cancelled',
      closeReason: 'cancelled',
    });
  });

  it('pending: a cancellation at or after the switch instant is refused (the switch is the scheduler’s)', () => {
    for (const at of [switchAt, after]) {
      expect(nextPortState(state(), { kind: 'cancel', at })).toEqual({
        ok: false,
        code: 'telecom.port_closed',
        reason: 'switch_due',
      });
    }
  });

  it.each(OBJECTION_REASONS)('pending: the donor objects before the switch for an allowed reason (%s)', (reason) => {
    expect(nextPortState(state(), { kind: 'object', at: before, reason })).toEqual({
      ok: true,
      status: 'objected',
      closeReason: 'objected',
      objectionReason: reason,
    });
  });

  it('pending: an objection for a reason the rules do not allow is refused, at any time', () => {
    for (const at of [before, after]) {
      for (const reason of ['competition', 'OUTSTANDING_DEBT', '', 'outstanding_debt ']) {
        expect(nextPortState(state(), { kind: 'object', at, reason })).toMatchObject({
          ok: false,
          code: 'telecom.objection_not_allowed',
        });
      }
    }
  });

  it('pending: an objection after the notice period is too late', () => {
    for (const at of [switchAt, after]) {
      expect(nextPortState(state(), { kind: 'object', at, reason: 'outstanding_debt' })).toEqual({
        ok: false,
        code: 'telecom.objection_too_late',
        reason: 'notice_period_over',
      });
    }
  });

  it('pending: the switch before switchAt is not due', () => {
    expect(nextPortState(state(), { kind: 'switch', at: before, donorServing: true })).toMatchObject({
      ok: false,
      code: 'telecom.switch_too_early',
    });
  });

  it('pending: at switchAt (or later, after a restart) the number switches while the donor still serves it', () => {
    for (const at of [switchAt, after, '2027-01-01T00:00:00.000Z']) {
      expect(nextPortState(state(), { kind: 'switch', at, donorServing: true })).toEqual({
        ok: true,
        status: 'switched',
        closeReason: 'switched',
      });
    }
  });

  it('pending: the request expires at switchAt when the donor no longer serves the number', () => {
    expect(nextPortState(state(), { kind: 'switch', at: switchAt, donorServing: false })).toEqual({
      ok: true,
      status: 'expired',
      closeReason: 'donor_contract_ended',
    });
  });

  const events: PortEvent[] = [
    { kind: 'cancel', at: before },
    { kind: 'object', at: before, reason: 'court_order' },
    { kind: 'switch', at: after, donorServing: true },
    { kind: 'switch', at: after, donorServing: false },
  ];
  const closed: PortStatus[] = ['switched', 'cancelled', 'objected', 'expired'];
  it.each(closed)('%s is final: every event is refused with telecom.port_closed', (status) => {
    for (const event of events) {
      expect(nextPortState(state(status), event)).toEqual({ ok: false, code: 'telecom.port_closed', reason: status });
    }
  });
});

describe('switch instant', () => {
  it('defaults to the end of the notice period', () => {
    expect(switchInstant(requestedAt, 60)).toEqual({ ok: true, switchAt: '2026-12-01T11:00:00.000Z' });
  });

  it('keeps a later instant, normalised to UTC', () => {
    expect(switchInstant(requestedAt, 60, '2026-12-01T15:30:00+03:00')).toEqual({
      ok: true,
      switchAt: '2026-12-01T12:30:00.000Z',
    });
  });

  it('refuses an instant inside the notice period, naming the earliest', () => {
    expect(switchInstant(requestedAt, 60, '2026-12-01T10:59:59.999Z')).toEqual({
      ok: false,
      code: 'telecom.switch_too_early',
      earliest: '2026-12-01T11:00:00.000Z',
    });
    expect(switchInstant(requestedAt, 60, '2026-12-01T11:00:00.000Z')).toMatchObject({ ok: true });
  });
});
