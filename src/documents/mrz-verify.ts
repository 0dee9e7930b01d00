import { charClasses, checkablePair, type MrzFormat } from './mrz-layout.js';
import { cleanLine } from './mrz-text.js';
import type { MrzField } from './mrz.js';

/**
 * A second opinion on the MRZ positions that check digits cannot protect. Pure.
 *
 * Names, states, sex and the document code are covered by no check digit, and in document numbers and
 * optional data a substitution by a character of the same value modulo 10 (S/8, G/6, L/1, K/<) goes unseen.
 * A read that passed every check is therefore compared, in those positions, with an independent read of the
 * same strip by a different recogniser; any disagreement makes the read uncertain. The second recogniser
 * (Tesseract's LSTM) garbles filler runs into K, L and < in varying numbers, so the two readings are aligned
 * by an edit distance in which those artefacts are cheap.
 */

/** Which positions the second opinion must confirm: every position except dates and check digits. */
function verified(format: MrzFormat): boolean[][] {
  return charClasses(format).map((line) => line.map((cls) => cls !== 'numeric'));
}

const FILLER_NOISE = new Set(['<', 'K', 'L']);
const TO_LETTER: Readonly<Record<string, string>> = { '0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '8': 'B' };

/**
 * For each character of `primary`, the character of `second` aligned with it, or `undefined` where `second`
 * has none. Costs: equal 0; a filler read as K or L 0.2; an extra or missing filler-like character 0.3;
 * anything else 1.
 */
export function align(primary: string, second: string): (string | undefined)[] {
  const n = primary.length;
  const m = second.length;
  const cost = new Float64Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  const sub = (a: string, b: string) => (a === b ? 0 : a === '<' && FILLER_NOISE.has(b) ? 0.2 : 1);
  const del = (a: string) => (a === '<' ? 0.3 : 1);
  const ins = (b: string) => (FILLER_NOISE.has(b) ? 0.3 : 1);
  for (let i = 1; i <= n; i++) cost[at(i, 0)] = cost[at(i - 1, 0)]! + del(primary[i - 1]!);
  for (let j = 1; j <= m; j++) cost[at(0, j)] = cost[at(0, j - 1)]! + ins(second[j - 1]!);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      cost[at(i, j)] = Math.min(
        cost[at(i - 1, j - 1)]! + sub(primary[i - 1]!, second[j - 1]!),
        cost[at(i - 1, j)]! + del(primary[i - 1]!),
        cost[at(i, j - 1)]! + ins(second[j - 1]!),
      );
    }
  }
  const out = new Array<string | undefined>(n).fill(undefined);
  let i = n;
  let j = m;
  while (i > 0 && j > 0) {
    const here = cost[at(i, j)]!;
    if (Math.abs(here - (cost[at(i - 1, j - 1)]! + sub(primary[i - 1]!, second[j - 1]!))) < 1e-9) {
      out[i - 1] = second[j - 1];
      i--;
      j--;
    } else if (Math.abs(here - (cost[at(i - 1, j)]! + del(primary[i - 1]!))) < 1e-9) i--;
    else j--;
  }
  return out;
}

/** Whether the second reading's character confirms the primary's, given what the position may hold. */
function confirms(primary: string, second: string | undefined, cls: 'alpha' | 'alnum' | 'numeric'): boolean {
  if (primary === '<') return second === undefined || FILLER_NOISE.has(second);
  if (second === undefined) return false;
  if (cls === 'alpha') return (TO_LETTER[second] ?? second) === primary;
  // In a document number or optional data, O/0, S/5 and the like are told apart by the check digits the
  // primary reading has passed; what the second reading must confirm is the character's shape.
  return second === primary || (cls === 'alnum' && checkablePair(primary, second));
}

/** The last `n` line-length lines of a second reading. */
function secondLines(secondText: string, n: number): string[] {
  return secondText
    .split(/\r?\n/)
    .map(cleanLine)
    .filter((l) => l.length >= 20)
    .slice(-n);
}

/** Whether a second reading has as many MRZ-long lines as the document: whether it has an opinion at all. */
export function hasOpinion(secondText: string, n: number): boolean {
  return secondLines(secondText, n).length === n;
}

/**
 * The positions (`line:index`) where a second reading of the strip (raw OCR text) fails to confirm the
 * validated primary lines; empty when it confirms them all.
 */
export function unconfirmed(lines: readonly string[], format: MrzFormat, secondText: string): string[] {
  const second = secondLines(secondText, lines.length);
  const classes = charClasses(format);
  const mask = verified(format);
  const out: string[] = [];
  lines.forEach((line, l) => {
    const aligned = second.length === lines.length ? align(line, second[l]!) : [];
    for (let i = 0; i < line.length; i++) {
      if (mask[l]![i] && !confirms(line[i]!, aligned[i], classes[l]![i]!)) out.push(`${l}:${i}`);
    }
  });
  return out;
}

type Span = readonly [line: number, start: number, end: number, field: MrzField];
const FIELDS: Readonly<Record<MrzFormat, readonly Span[]>> = {
  TD3: [
    [0, 0, 2, 'documentCode'],
    [0, 2, 5, 'issuingState'],
    [0, 5, 44, 'names'],
    [1, 0, 9, 'documentNumber'],
    [1, 10, 13, 'nationality'],
    [1, 20, 21, 'sex'],
    [1, 28, 42, 'optionalData'],
  ],
  TD1: [
    [0, 0, 2, 'documentCode'],
    [0, 2, 5, 'issuingState'],
    [0, 5, 14, 'documentNumber'],
    [0, 15, 30, 'optionalData'],
    [1, 7, 8, 'sex'],
    [1, 15, 18, 'nationality'],
    [1, 18, 29, 'optionalData'],
    [2, 0, 30, 'names'],
  ],
};

/** The fields that hold the given `line:index` positions. */
export function doubtedFields(format: MrzFormat, positions: readonly string[]): MrzField[] {
  const out = new Set<MrzField>();
  for (const p of positions) {
    const [line, i] = p.split(':').map(Number) as [number, number];
    const span = FIELDS[format].find(([l, start, end]) => l === line && i >= start && i < end);
    out.add(span ? span[3] : 'optionalData');
  }
  return [...out];
}
