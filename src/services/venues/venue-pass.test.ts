import { describe, expect, it } from 'vitest';
import { passFault, passOpens, type Pass } from './venue-pass.js';

const staff: Pass = { kind: 'staff', validFrom: null, validTo: null, uses: null, usesSpent: 0, revokedAt: null };
const visitor: Pass = {
  kind: 'visitor',
  validFrom: '2026-12-01T09:00:00.000Z',
  validTo: '2026-12-01T18:00:00.000Z',
  uses: 2,
  usesSpent: 0,
  revokedAt: null,
};

describe('venue passes', () => {
  it('open inside their window with a use left, and never once revoked', () => {
    expect(passOpens(staff, '2030-01-01T00:00:00.000Z')).toBe(true);
    expect(passOpens(visitor, '2026-12-01T09:00:00.000Z')).toBe(true);
    expect(passOpens(visitor, '2026-12-01T08:59:59.999Z')).toBe(false);
    expect(passOpens(visitor, '2026-12-01T18:00:00.000Z')).toBe(false);
    expect(passOpens({ ...visitor, usesSpent: 1 }, '2026-12-01T10:00:00.000Z')).toBe(true);
    expect(passOpens({ ...visitor, usesSpent: 2 }, '2026-12-01T10:00:00.000Z')).toBe(false);
    expect(passOpens({ ...staff, revokedAt: '2026-12-01T10:00:00.000Z' }, '2026-12-01T09:00:00.000Z')).toBe(false);
  });

  it('refuse a window that ends before it starts, and a visitor pass without an end or a number of uses', () => {
    expect(passFault(staff)).toBeUndefined();
    expect(passFault(visitor)).toBeUndefined();
    expect(passFault({ ...visitor, validTo: visitor.validFrom })).toMatch(/after/);
    expect(passFault({ ...visitor, uses: null })).toMatch(/visitor/);
    expect(passFault({ ...visitor, validTo: null })).toMatch(/visitor/);
  });
});
