import { parse as parseLayout, states, type Details, type FieldName } from 'mrz';
import { AppError } from '../errors/app-error.js';
import { birthDate, expiryDate } from './mrz-dates.js';
import { formatOf, MRZ_LINE, type MrzFormat } from './mrz-layout.js';

/**
 * Parsing and validation of a machine-readable zone (ICAO Doc 9303): TD1 identity cards and TD3 passports.
 * Pure. Field extraction and check digits come from the `mrz` package; on top of it this module is strict
 * about everything else a misread can change without touching a check digit: the character set and shape,
 * the structure of names and document numbers, state codes, sex, and real calendar dates. Whatever fails is
 * `document.unreadable`, with `data.reason` and the failing `data.fields` (never the values: they are
 * personal data).
 */
export type Sex = 'female' | 'male' | 'unspecified';

export interface MrzDocument {
  readonly format: MrzFormat;
  /** `P`, `PO`, `I`, `ID`, `AC`…: the document code without fillers. */
  readonly documentCode: string;
  /** ICAO 9303 part 3 code of the issuing state or organisation (`KAZ`, `D`, `XOM`…). */
  readonly issuingState: string;
  readonly documentNumber: string;
  /** The primary identifier, words separated by spaces. */
  readonly surname: string;
  /** The secondary identifier, words separated by spaces; empty when the document has none. */
  readonly givenNames: string;
  readonly nationality: string;
  /** `YYYY-MM-DD`; `YYYY-MM` or `YYYY` when the MRZ marks the day or month unknown; `null` when all is unknown. */
  readonly birthDate: string | null;
  readonly sex: Sex;
  /** `YYYY-MM-DD`, the last day the document is valid. */
  readonly expiryDate: string;
  /**
   * Optional data elements, trailing fillers removed: TD3 has one (the personal number), TD1 two (after the
   * document number on line 1, and on line 2).
   */
  readonly optionalData: readonly string[];
  /** The validated MRZ lines. */
  readonly lines: readonly string[];
}

/**
 * `length` / `charset`: not an MRZ's shape or alphabet; `check_digit`: a check digit fails; `field`: a field
 * is invalid though the check digits hold; `unconfirmed` (images only): every check passed, but a second
 * recogniser read the unprotected positions differently, so the read is not trusted.
 */
export type UnreadableReason = 'length' | 'charset' | 'check_digit' | 'field' | 'unconfirmed';

/** A field a refusal can name. */
export type MrzField =
  | 'documentCode'
  | 'issuingState'
  | 'documentNumber'
  | 'names'
  | 'nationality'
  | 'birthDate'
  | 'sex'
  | 'expiryDate'
  | 'optionalData'
  | 'documentNumberCheckDigit'
  | 'birthDateCheckDigit'
  | 'expiryDateCheckDigit'
  | 'optionalDataCheckDigit'
  | 'compositeCheckDigit';

/** The longest MRZ text accepted before parsing (TD3 plus generous whitespace). */
const MAX_TEXT = 200;

export function unreadable(reason: UnreadableReason, message: string, fields?: MrzField[]): AppError {
  return new AppError('document.unreadable', message, fields ? { reason, fields } : { reason });
}

/** Splits MRZ text into lines: line breaks separate, surrounding whitespace and blank lines are dropped. */
export function mrzLines(input: string | readonly string[]): string[] {
  const text = typeof input === 'string' ? input : input.join('\n');
  if (text.length > MAX_TEXT) throw unreadable('length', `the MRZ text is longer than ${MAX_TEXT} characters`);
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/**
 * Parses and validates an MRZ; `today` (from the caller's clock) chooses the century of its dates.
 * Throws `document.unreadable` unless every check digit and every field is valid. Expiry is not checked here.
 * @example parseMrz(['P<KAZ…', 'N12345678…'], new Date())
 */
export function parseMrz(input: string | readonly string[], today: Date): MrzDocument {
  const lines = mrzLines(input);
  if (!lines.every((l) => MRZ_LINE.test(l))) {
    throw unreadable('charset', 'an MRZ holds only A–Z, 0–9 and <');
  }
  const format = formatOf(lines);
  if (!format) {
    throw unreadable('length', 'an MRZ is 3 lines of 30 characters (TD1) or 2 lines of 44 (TD3)', undefined);
  }
  const parsed = parseLayout(lines);
  const refused = parsed.details.filter((d) => !d.valid).map(fieldOf);
  const checkDigits = refused.filter((f) => f.endsWith('CheckDigit'));
  if (checkDigits.length > 0) throw unreadable('check_digit', 'an MRZ check digit does not match', unique(checkDigits));

  const raw = rawFields(format, lines);
  const born = birthDate(raw.birth, today);
  const expires = expiryDate(raw.expiry, today);
  const bad: MrzField[] = [...refused];
  if (!codeValid(format, raw.code)) bad.push('documentCode');
  if (!raw.number) bad.push('documentNumber');
  if (!NAMES.test(raw.names)) bad.push('names');
  if (!(raw.issuer in states)) bad.push('issuingState');
  if (!(raw.nationality in states)) bad.push('nationality');
  if (born === undefined) bad.push('birthDate');
  if (expires === undefined || (born && expires < born)) bad.push('expiryDate');
  if (!'MF<'.includes(raw.sex)) bad.push('sex');
  if (bad.length > 0) throw unreadable('field', 'an MRZ field is not valid', unique(bad));

  const [surname = '', given = ''] = raw.names.replace(/<+$/, '').split('<<');
  return {
    format,
    documentCode: raw.code.replace(/<+$/, ''),
    issuingState: raw.issuer,
    documentNumber: raw.number!,
    surname: words(surname),
    givenNames: words(given),
    nationality: raw.nationality,
    birthDate: born!,
    sex: raw.sex === 'M' ? 'male' : raw.sex === 'F' ? 'female' : 'unspecified',
    expiryDate: expires!,
    optionalData: raw.optional.map((o) => o.replace(/<+$/, '')),
    lines,
  };
}

/** Primary identifier, then optionally `<<` and the secondary identifier; words joined by single fillers. */
const NAMES = /^[A-Z]+(<[A-Z]+)*(<<[A-Z]+(<[A-Z]+)*)?<*$/;

const words = (s: string) => s.split('<').filter(Boolean).join(' ');
const unique = <T>(xs: T[]) => [...new Set(xs)];
const noFill = (s: string) => s.replace(/<+$/, '');

function codeValid(format: MrzFormat, code: string): boolean {
  return format === 'TD3' ? /^P[A-Z<]$/.test(code) : /^[ACI][A-UW-Z0-9<]$/.test(code);
}

interface RawFields {
  code: string;
  issuer: string;
  /** `undefined` when the document number is malformed (a filler inside it, a broken long-number form). */
  number: string | undefined;
  names: string;
  nationality: string;
  birth: string;
  sex: string;
  expiry: string;
  optional: string[];
}

function rawFields(format: MrzFormat, lines: string[]): RawFields {
  const [l1 = '', l2 = '', l3 = ''] = lines;
  if (format === 'TD3') {
    return {
      code: l1.slice(0, 2),
      issuer: noFill(l1.slice(2, 5)),
      number: documentNumber(l2.slice(0, 9)),
      names: l1.slice(5, 44),
      nationality: noFill(l2.slice(10, 13)),
      birth: l2.slice(13, 19),
      sex: l2.slice(20, 21),
      expiry: l2.slice(21, 27),
      optional: [l2.slice(28, 42)],
    };
  }
  const optional1 = l1.slice(15, 30);
  let number = documentNumber(l1.slice(5, 14));
  let rest = optional1;
  if (l1[14] === '<') {
    // A number longer than 9 characters: its first 9 in positions 6–14, a filler in 15, the rest and its
    // check digit at the start of the optional data, ended by a filler (ICAO 9303 part 5, 4.2.2).
    const end = optional1.indexOf('<');
    const head = l1.slice(5, 14);
    number = end >= 2 && /^[A-Z0-9]{9}$/.test(head) ? head + optional1.slice(0, end - 1) : undefined;
    rest = end >= 2 ? optional1.slice(end + 1) : optional1;
  }
  return {
    code: l1.slice(0, 2),
    issuer: noFill(l1.slice(2, 5)),
    number,
    names: l3,
    nationality: noFill(l2.slice(15, 18)),
    birth: l2.slice(0, 6),
    sex: l2.slice(7, 8),
    expiry: l2.slice(8, 14),
    optional: [rest, l2.slice(18, 29)],
  };
}

/** A document number is left-aligned and filled on the right: no filler inside it. */
function documentNumber(field: string): string | undefined {
  return /^[A-Z0-9]+<*$/.test(field) ? noFill(field) : undefined;
}

const FIELD_NAMES: Partial<Record<FieldName, MrzField>> = {
  documentCode: 'documentCode',
  issuingState: 'issuingState',
  documentNumber: 'documentNumber',
  documentNumberCheckDigit: 'documentNumberCheckDigit',
  nationality: 'nationality',
  birthDate: 'birthDate',
  birthDateCheckDigit: 'birthDateCheckDigit',
  sex: 'sex',
  expirationDate: 'expiryDate',
  expirationDateCheckDigit: 'expiryDateCheckDigit',
  personalNumber: 'optionalData',
  personalNumberCheckDigit: 'optionalDataCheckDigit',
  optional1: 'optionalData',
  optional2: 'optionalData',
  compositeCheckDigit: 'compositeCheckDigit',
  firstName: 'names',
  lastName: 'names',
};

function fieldOf(d: Details): MrzField {
  return (d.field && FIELD_NAMES[d.field]) ?? 'names';
}

/**
 * What identifies a document among all documents: its kind (the first letter of the code: P, I, A, C), the
 * issuing state and the number, joined by `|`. Numbers are unique only per issuer and kind. This is the
 * input to the registry's keyed hash of a document number (never store or log it as it is).
 * @example documentIdentity(doc) // 'P|KAZ|N12345678'
 */
export function documentIdentity(
  document: Pick<MrzDocument, 'documentCode' | 'issuingState' | 'documentNumber'>,
): string {
  return `${document.documentCode[0]}|${document.issuingState}|${document.documentNumber}`;
}
