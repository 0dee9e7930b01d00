/** The pure rules of a canteen's day (no I/O). */

/** The UTC calendar day of an instant: meals and allowances count per day. */
export function dayOf(instant: string): string {
  return instant.slice(0, 10);
}

/**
 * Whether a meal of `amount` fits what is left of the pupil's daily allowance, and what would be left after.
 * @example mealFits(500, 300, 150) // { fits: true, remaining: 50 }
 */
export function mealFits(allowance: number, spentToday: number, amount: number): { fits: boolean; remaining: number } {
  const left = Math.max(0, allowance - spentToday);
  return amount <= left ? { fits: true, remaining: left - amount } : { fits: false, remaining: left };
}
