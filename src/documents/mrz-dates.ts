/**
 * MRZ dates (YYMMDD) to calendar dates. The MRZ drops the century, so it is chosen against a reference day:
 * a birth date is never in the future, and an expiry date lies within 50 years either side. Pure.
 */

/** `YYYY-MM-DD` of a UTC day. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The date, or `undefined` when the six digits are not a day of the calendar (e.g. 300230). */
function calendarDay(year: number, yymmdd: string): string | undefined {
  if (!/^\d{6}$/.test(yymmdd)) return undefined;
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return isoDay(d);
}

/**
 * A birth date: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` where the MRZ fills an unknown day / month and day with
 * `<` (ICAO 9303 part 3), or `null` when the whole date is unknown. `undefined` when it is not a date.
 */
export function birthDate(yymmdd: string, today: Date): string | null | undefined {
  if (yymmdd === '<<<<<<') return null;
  const yy = yymmdd.slice(0, 2);
  if (!/^\d\d$/.test(yy)) return undefined;
  const thisYear = today.getUTCFullYear();
  let year = Math.floor(thisYear / 100) * 100 + Number(yy);
  const mm = yymmdd.slice(2, 4);
  const dd = yymmdd.slice(4, 6);
  if (mm === '<<') {
    if (dd !== '<<') return undefined;
    if (year > thisYear) year -= 100;
    return String(year);
  }
  if (dd === '<<') {
    const month = Number(mm);
    if (!/^\d\d$/.test(mm) || month < 1 || month > 12) return undefined;
    if (year * 12 + month > thisYear * 12 + today.getUTCMonth() + 1) year -= 100;
    return `${year}-${mm}`;
  }
  const date = calendarDay(year, yymmdd);
  if (date === undefined) return calendarDay(year - 100, yymmdd);
  return date > isoDay(today) ? calendarDay(year - 100, yymmdd) : date;
}

/** An expiry date, `YYYY-MM-DD`, in the century that puts it within 50 years of `today`; `undefined` if no date. */
export function expiryDate(yymmdd: string, today: Date): string | undefined {
  if (!/^\d{6}$/.test(yymmdd)) return undefined;
  const thisYear = today.getUTCFullYear();
  const century = Math.floor(thisYear / 100) * 100;
  const yy = Number(yymmdd.slice(0, 2));
  const year = [century - 100, century, century + 100]
    .map((c) => c + yy)
    .find((y) => y >= thisYear - 50 && y < thisYear + 50)!;
  return calendarDay(year, yymmdd);
}
