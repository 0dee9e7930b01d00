import type { Transactor, Tx } from '../src/db/executor.js';
import type { CallContext, Principal } from '../src/modules/access/principal.js';
import type { Clock } from '../src/ports/clock.js';
import type { IdKind, IdSource } from '../src/ports/ids.js';

/**
 * Simple fakes for unit tests of services: a service's repositories and collaborators are replaced by plain
 * objects, its clock and ids fixed, its transactions handed a stand-in that only fakes ever see.
 */

/** The transaction a fake transactor hands out: fakes only pass it along (and tests check they did). */
export const fakeTx = { fake: 'transaction' } as unknown as Tx;

/** Runs work at once with {@link fakeTx}; counts the transactions opened. */
export function fakeTransactor(): Transactor & { opened: number } {
  const t = {
    opened: 0,
    transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      t.opened++;
      return work(fakeTx);
    },
  };
  return t;
}

/** A clock fixed at `iso` unless moved. */
export function fixedClock(iso = '2026-11-23T12:00:00.000Z'): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return { now: () => new Date(now), set: (next) => (now = new Date(next)) };
}

/** Ids `psn_1`, `tpl_2`, … in call order. */
export function sequentialIds(): IdSource {
  let n = 0;
  return { next: (kind: IdKind) => `${kind}_${++n}` };
}

export function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    id: 'rp_metro',
    role: 'relying_party',
    name: 'Metro',
    purposes: ['transit_fare'],
    segments: ['moscow'],
    rights: ['enrol', 'verify', 'identify'],
    requireLiveness: false,
    ownTemplateView: false,
    ...overrides,
  };
}

export function callOf(overrides: Partial<Principal> = {}, requestId = 'req_1'): CallContext {
  return { principal: principal(overrides), requestId };
}

/** Every call made to a fake, in order, as `[method, ...args]`. */
export type Calls = unknown[][];
