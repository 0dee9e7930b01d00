/** A car park's duration tariff, in minor units of `currency`. */
export interface ParkingTariff {
  readonly currency: string;
  /** A stay this short or shorter is free. */
  readonly freeMinutes: number;
  /** Each started hour costs this. */
  readonly perHour: number;
  /** No 24-hour period costs more than this. */
  readonly dailyMax: number;
}

export type ParkingRule = 'free' | 'duration' | 'daily_max';

const DAY_MINUTES = 1440;

/**
 * What a stay from `enteredAt` to `exitedAt` costs: nothing within `freeMinutes`; else every started hour at
 * `perHour`, each full 24 hours at most `dailyMax` and the rest at most `dailyMax` too.
 *
 * @example parkingCharge({ currency: 'RUB', freeMinutes: 15, perHour: 200, dailyMax: 1500 }, '…T08:00Z', '…T10:30Z')
 * // → { amount: 600, rule: 'duration', minutes: 150 }
 */
export function parkingCharge(tariff: ParkingTariff, enteredAt: string, exitedAt: string) {
  const minutes = Math.max(0, Math.ceil((Date.parse(exitedAt) - Date.parse(enteredAt)) / 60_000));
  if (minutes <= tariff.freeMinutes) return { amount: 0, rule: 'free' as ParkingRule, minutes };
  const days = Math.floor(minutes / DAY_MINUTES);
  const rest = Math.ceil((minutes % DAY_MINUTES) / 60) * tariff.perHour;
  const uncapped = Math.ceil(minutes / 60) * tariff.perHour;
  const amount = days * tariff.dailyMax + Math.min(rest, tariff.dailyMax);
  return { amount, rule: (amount < uncapped ? 'daily_max' : 'duration') as ParkingRule, minutes };
}
