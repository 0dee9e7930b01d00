import { describe, expect, it } from 'vitest';
import { dayOf, mealFits } from './school-day.js';

describe('a canteen day', () => {
  it('counts per UTC day', () => {
    expect(dayOf('2026-12-01T23:59:59.999Z')).toBe('2026-12-01');
    expect(dayOf('2026-12-02T00:00:00.000Z')).toBe('2026-12-02');
  });

  it('serves within what is left of the allowance, and refuses the meal that would pass it', () => {
    expect(mealFits(500, 0, 500)).toEqual({ fits: true, remaining: 0 });
    expect(mealFits(500, 300, 150)).toEqual({ fits: true, remaining: 50 });
    expect(mealFits(500, 300, 250)).toEqual({ fits: false, remaining: 200 });
    expect(mealFits(500, 500, 0)).toEqual({ fits: true, remaining: 0 });
    expect(mealFits(500, 500, 1)).toEqual({ fits: false, remaining: 0 });
    expect(mealFits(300, 500, 1)).toEqual({ fits: false, remaining: 0 });
  });
});
