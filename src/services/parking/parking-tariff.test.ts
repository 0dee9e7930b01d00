import { describe, expect, it } from 'vitest';
import { parkingCharge } from './parking-tariff.js';

const tariff = { currency: 'RUB', freeMinutes: 15, perHour: 200, dailyMax: 1500 };
const t = (iso: string) => `2026-12-01T${iso}:00.000Z`;

describe('parkingCharge', () => {
  it('is free within freeMinutes', () => {
    expect(parkingCharge(tariff, t('08:00'), t('08:15'))).toEqual({ amount: 0, rule: 'free', minutes: 15 });
  });
  it('charges every started hour', () => {
    expect(parkingCharge(tariff, t('08:00'), t('08:16'))).toMatchObject({ amount: 200, rule: 'duration' });
    expect(parkingCharge(tariff, t('08:00'), t('10:30'))).toEqual({ amount: 600, rule: 'duration', minutes: 150 });
  });
  it('caps each 24 hours at dailyMax', () => {
    expect(parkingCharge(tariff, t('08:00'), t('20:00'))).toMatchObject({ amount: 1500, rule: 'daily_max' });
    expect(parkingCharge(tariff, t('08:00'), '2026-12-02T10:00:00.000Z')).toMatchObject({
      amount: 1500 + 400,
      rule: 'daily_max',
    });
  });
});
