/** An operator's tariff, in minor units of `currency`. */
export interface Tariff {
  readonly currency: string;
  readonly baseFare: number;
  readonly transferMinutes: number;
  readonly dailyCap: number;
}

/** A pass of the rider that opened a gate earlier, with what it cost. */
export interface EarlierPass {
  readonly at: string;
  readonly amount: number;
  readonly rule: FareRule;
}

export type FareRule = 'fare' | 'transfer' | 'daily_cap';

const DAY_MS = 86_400_000;

/**
 * What a pass at `now` costs. A trip starts with `baseFare`; a pass within `transferMinutes` of the pass that
 * started the current trip is a transfer (0), so transfers do not chain into a free day; nothing is charged
 * beyond `dailyCap` within a UTC day (rule `daily_cap`: the remainder up to the cap, or 0).
 *
 * @example fareFor({ currency: 'RUB', baseFare: 6000, transferMinutes: 90, dailyCap: 15000 }, now, [])
 * // → { amount: 6000, rule: 'fare' }
 */
export function fareFor(
  tariff: Tariff,
  now: Date,
  earlier: readonly EarlierPass[],
): { amount: number; rule: FareRule } {
  const trips = earlier.filter((p) => p.rule !== 'transfer').sort((a, b) => (a.at < b.at ? 1 : -1));
  const tripStart = trips[0];
  if (tripStart && now.getTime() - Date.parse(tripStart.at) <= tariff.transferMinutes * 60_000) {
    return { amount: 0, rule: 'transfer' };
  }
  const day = Math.floor(now.getTime() / DAY_MS);
  const spent = earlier
    .filter((p) => Math.floor(Date.parse(p.at) / DAY_MS) === day)
    .reduce((sum, p) => sum + p.amount, 0);
  if (spent + tariff.baseFare > tariff.dailyCap) {
    return { amount: Math.max(0, tariff.dailyCap - spent), rule: 'daily_cap' };
  }
  return { amount: tariff.baseFare, rule: 'fare' };
}

/** The start of the UTC day before `now`'s: passes since then are all {@link fareFor} needs. */
export function faresWindowStart(now: Date): string {
  return new Date((Math.floor(now.getTime() / DAY_MS) - 1) * DAY_MS).toISOString();
}
