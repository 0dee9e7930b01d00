import { checkDigit } from '../../src/documents/mrz-layout.js';

/**
 * Builds valid MRZ lines from document fields, computing every check digit (ICAO 9303 parts 4 and 5), for
 * tests and the MRZ benchmark. `randomDocument` draws fields from a seeded generator, so a run is repeatable.
 */
export interface DocumentFields {
  readonly format: 'TD1' | 'TD3';
  readonly documentCode: string;
  readonly issuingState: string;
  readonly documentNumber: string;
  readonly surname: string;
  readonly givenNames: string;
  readonly nationality: string;
  /** YYMMDD as printed in the MRZ. */
  readonly birth: string;
  readonly sex: 'M' | 'F' | '<';
  readonly expiry: string;
  readonly optionalData: readonly string[];
}

const pad = (s: string, n: number) => (s + '<'.repeat(n)).slice(0, n);
const mrzWords = (s: string) => s.toUpperCase().trim().split(/\s+/).filter(Boolean).join('<');

export function mrzNames(surname: string, givenNames: string, length: number): string {
  const given = mrzWords(givenNames);
  return pad(given ? `${mrzWords(surname)}<<${given}` : mrzWords(surname), length);
}

export function newFields(overrides: Partial<DocumentFields> = {}): DocumentFields {
  const format = overrides.format ?? 'TD3';
  return {
    format,
    documentCode: format === 'TD3' ? 'P' : 'ID',
    issuingState: 'KAZ',
    documentNumber: format === 'TD3' ? 'N12345678' : 'AB1234567',
    surname: 'ABENOVA',
    givenNames: 'AIGERIM SERIKOVNA',
    nationality: 'KAZ',
    birth: '900215',
    sex: 'F',
    expiry: '340630',
    optionalData: format === 'TD3' ? ['900215400123'] : ['', ''],
    ...overrides,
  };
}

/** The MRZ lines of a document; a TD1 number longer than 9 characters uses ICAO's long-number form. */
export function buildMrz(f: DocumentFields): string[] {
  if (f.format === 'TD3') {
    const number = pad(f.documentNumber, 9);
    const personal = pad(f.optionalData[0] ?? '', 14);
    const personalCheck = personal === '<'.repeat(14) ? '<' : String(checkDigit(personal));
    const l1 = pad(f.documentCode, 2) + pad(f.issuingState, 3) + mrzNames(f.surname, f.givenNames, 39);
    const body =
      number +
      checkDigit(number) +
      pad(f.nationality, 3) +
      f.birth +
      checkDigit(f.birth) +
      f.sex +
      f.expiry +
      checkDigit(f.expiry) +
      personal +
      personalCheck;
    const composite = body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43);
    return [l1, body + checkDigit(composite)];
  }
  const long = f.documentNumber.length > 9;
  const numberPart = long
    ? f.documentNumber.slice(0, 9) + '<' + f.documentNumber.slice(9) + checkDigit(f.documentNumber) + '<'
    : pad(f.documentNumber, 9) + checkDigit(pad(f.documentNumber, 9));
  const l1 = pad(pad(f.documentCode, 2) + pad(f.issuingState, 3) + numberPart + (f.optionalData[0] ?? ''), 30);
  const l2 = f.birth + checkDigit(f.birth) + f.sex + f.expiry + checkDigit(f.expiry) + pad(f.nationality, 3);
  const l2Body = l2 + pad(f.optionalData[1] ?? '', 11);
  const composite = l1.slice(5, 30) + l2Body.slice(0, 7) + l2Body.slice(8, 15) + l2Body.slice(18, 29);
  return [l1, l2Body + checkDigit(composite), mrzNames(f.surname, f.givenNames, 30)];
}

/** A small seeded generator (mulberry32): the same seed gives the same documents. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = ['ABENOV', 'SMIRNOVA', 'NURLANULY', 'IVANOV', 'KASYMOVA', 'OMAROV', 'PETROVA', 'SULTANBEKOV'];
const GIVEN = ['ALIYA', 'DANIYAR', 'ELENA', 'ERLAN', 'MADINA', 'NURSULTAN', 'OLGA', 'TIMUR', 'ZHANNA', 'ARMAN'];
const STATES = ['KAZ', 'RUS', 'UZB', 'KGZ', 'D', 'FRA', 'GBR', 'TUR'];
// Letters as issuers put them in document numbers: German passports, for one, leave out vowels and B, D, Q, S,
// which readers confuse with digits.
const NUMBER_LETTERS = 'CFGHJKLMNPRTVWXYZ';
const DIGITS = '0123456789';

/** Random but valid fields: names, numbers and dates drawn from `rand`, expiry after `today`. */
export function randomFields(rand: () => number, format: 'TD1' | 'TD3', today: Date): DocumentFields {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const chars = (alphabet: string, n: number) => Array.from({ length: n }, () => pick([...alphabet])).join('');
  const yymmdd = (year: number) => {
    const d = new Date(Date.UTC(year, 0, 1 + Math.floor(rand() * 365)));
    return d.toISOString().slice(2, 10).replaceAll('-', '');
  };
  const year = today.getUTCFullYear();
  let surname = pick(SURNAMES) + (rand() < 0.3 ? ' ' + pick(SURNAMES) : '');
  let given = pick(GIVEN) + (rand() < 0.4 ? ' ' + pick(GIVEN) : '');
  // Names that fit the field whole (TD1 has 30 positions): truncation is not what these documents test.
  if (format === 'TD1' && `${surname}<<${given}`.length > 30)
    [surname, given] = [surname.split(' ')[0]!, given.split(' ')[0]!];
  const state = pick(STATES);
  return newFields({
    format,
    documentCode: format === 'TD3' ? 'P' : pick(['ID', 'I', 'IR']),
    issuingState: state,
    nationality: rand() < 0.8 ? state : pick(STATES),
    documentNumber: chars(NUMBER_LETTERS, 1) + chars(DIGITS, 7) + chars(NUMBER_LETTERS + DIGITS, 1),
    surname,
    givenNames: given,
    birth: yymmdd(year - 18 - Math.floor(rand() * 60)),
    sex: rand() < 0.5 ? 'M' : 'F',
    expiry: yymmdd(year + 1 + Math.floor(rand() * 9)),
    optionalData: format === 'TD3' ? [rand() < 0.7 ? chars(DIGITS, 12) : ''] : [chars(DIGITS, 6), ''],
  });
}
