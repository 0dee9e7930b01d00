/**
 * The two machine-readable zone layouts Oblik reads (ICAO Doc 9303 parts 4 and 5): TD3 (passport data page,
 * two lines of 44) and TD1 (identity card, three lines of 30), and what each position may hold. Pure.
 */
export type MrzFormat = 'TD1' | 'TD3';

export const MRZ_SHAPES: Readonly<Record<MrzFormat, { readonly lines: number; readonly length: number }>> = {
  TD1: { lines: 3, length: 30 },
  TD3: { lines: 2, length: 44 },
};

/** The 37 characters an MRZ is printed with. */
export const MRZ_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';
export const MRZ_LINE = /^[A-Z0-9<]+$/;

/**
 * What a position holds by the format's own definition: `numeric` (dates, check digits), `alpha` (codes,
 * states, sex, names) or `alnum` (document numbers and optional data, where either is legitimate). Every
 * class also admits the filler `<`.
 */
export type CharClass = 'alpha' | 'numeric' | 'alnum';

type Span = readonly [line: number, start: number, end: number, cls: CharClass];

const SPANS: Readonly<Record<MrzFormat, readonly Span[]>> = {
  TD3: [
    [0, 0, 44, 'alpha'], // document code, issuing state, names
    [1, 0, 9, 'alnum'], // document number
    [1, 9, 10, 'numeric'],
    [1, 10, 13, 'alpha'], // nationality
    [1, 13, 20, 'numeric'], // birth date and its check digit
    [1, 20, 21, 'alpha'], // sex
    [1, 21, 28, 'numeric'], // expiry date and its check digit
    [1, 28, 42, 'alnum'], // personal number
    [1, 42, 44, 'numeric'], // its check digit, composite check digit
  ],
  TD1: [
    [0, 0, 1, 'alpha'],
    [0, 1, 2, 'alnum'], // the second code letter is at the issuer's discretion
    [0, 2, 5, 'alpha'], // issuing state
    [0, 5, 14, 'alnum'], // document number
    [0, 14, 15, 'numeric'],
    [0, 15, 30, 'alnum'], // optional data (or the rest of a long document number)
    [1, 0, 7, 'numeric'], // birth date and its check digit
    [1, 7, 8, 'alpha'],
    [1, 8, 15, 'numeric'], // expiry date and its check digit
    [1, 15, 18, 'alpha'], // nationality
    [1, 18, 29, 'alnum'], // optional data
    [1, 29, 30, 'numeric'], // composite check digit
    [2, 0, 30, 'alpha'], // names
  ],
};

/** The class of every position, line by line. */
export function charClasses(format: MrzFormat): CharClass[][] {
  const { lines, length } = MRZ_SHAPES[format];
  const classes = Array.from({ length: lines }, () => new Array<CharClass>(length).fill('alnum'));
  for (const [line, start, end, cls] of SPANS[format]) {
    for (let i = start; i < end; i++) classes[line]![i] = cls;
  }
  return classes;
}

/** The format whose shape the lines have, if any. */
export function formatOf(lines: readonly string[]): MrzFormat | undefined {
  return (Object.keys(MRZ_SHAPES) as MrzFormat[]).find(
    (f) => lines.length === MRZ_SHAPES[f].lines && lines.every((l) => l.length === MRZ_SHAPES[f].length),
  );
}

/**
 * The ICAO 9303 check digit: character values (digits as such, A–Z as 10–35, filler 0) weighted 7, 3, 1
 * repeating, summed, modulo 10.
 */
export function checkDigit(text: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += charValue(text[i]!) * weights[i % 3]!;
  return sum % 10;
}

export function charValue(c: string): number {
  if (c === '<') return 0;
  const code = c.charCodeAt(0);
  return code <= 57 ? code - 48 : code - 55;
}

/** Letter/digit pairs OCR confuses whose check values differ modulo 10, so a check digit tells them apart. */
const CHECKABLE_PAIRS = ['0O', '0D', '0Q', '1I', '2Z', '5S', '8B'];

export function checkablePair(a: string, b: string): boolean {
  return (
    a !== b && charValue(a) % 10 !== charValue(b) % 10 && CHECKABLE_PAIRS.some((p) => p.includes(a) && p.includes(b))
  );
}
