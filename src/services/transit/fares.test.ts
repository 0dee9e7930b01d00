import { describe, expect, it } from 'vitest';
import { fareFor, type EarlierPass } from './fares.js';

const tariff = { currency: 'RUB', baseFare: 6000, transferMinutes: 60, dailyCap: 15000 };
const at = (hhmm: string, day = '2026-12-01') => `${day}T${hhmm}:00.000Z`;
const now = (hhmm: string, day?: string) => new Date(at(hhmm, day));

describe('fareFor', () => {
  it('charges the base fare for the first pass of a trip', () => {
    expect(fareFor(tariff, now('08:00'), [])).toEqual({ amount: 6000, rule: 'fare' });
  });
  it('makes a pass within transferMinutes of the trip start a free transfer, without chaining', () => {
    const earlier: EarlierPass[] = [{ at: at('08:00'), amount: 6000, rule: 'fare' }];
    expect(fareFor(tariff, now('08:59'), earlier)).toEqual({ amount: 0, rule: 'transfer' });
    const chained = [...earlier, { at: at('08:59'), amount: 0, rule: 'transfer' as const }];
    expect(fareFor(tariff, now('09:30'), chained)).toEqual({ amount: 6000, rule: 'fare' });
  });
  it('caps the day: the remainder, then nothing, and a new day starts afresh', () => {
    const earlier: EarlierPass[] = [
      { at: at('08:00'), amount: 6000, rule: 'fare' },
      { at: at('10:00'), amount: 6000, rule: 'fare' },
    ];
    expect(fareFor(tariff, now('12:00'), earlier)).toEqual({ amount: 3000, rule: 'daily_cap' });
    const capped = [...earlier, { at: at('12:00'), amount: 3000, rule: 'daily_cap' as const }];
    expect(fareFor(tariff, now('14:00'), capped)).toEqual({ amount: 0, rule: 'daily_cap' });
    expect(fareFor(tariff, now('08:00', '2026-12-02'), capped)).toEqual({ amount: 6000, rule: 'fare' });
  });
});
