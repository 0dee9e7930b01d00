import { charClasses, MRZ_SHAPES, type MrzFormat } from './mrz-layout.js';

/**
 * From OCR output to MRZ candidates. Pure. OCR miscounts runs of fillers and confuses letters with digits;
 * both are repaired only where the MRZ format leaves one possibility, and the check digits then decide
 * (`parseMrz`): nothing here can turn a misread into an accepted document by itself.
 */

/** Letter↔digit confusions of OCR on OCR-B, each undone only in positions that cannot hold the other class. */
const TO_DIGIT: Readonly<Record<string, string>> = { O: '0', Q: '0', D: '0', I: '1', Z: '2', S: '5', G: '6', B: '8' };
const TO_LETTER: Readonly<Record<string, string>> = { '0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '8': 'B' };

/** Upper case, whitespace and anything outside the MRZ alphabet removed. */
export function cleanLine(line: string): string {
  return line.toUpperCase().replace(/[^A-Z0-9<]/g, '');
}

/** A line that could be an MRZ line: near one of the two lengths, and at least one filler. */
export function looksLikeMrz(line: string): boolean {
  return line.includes('<') && ((line.length >= 26 && line.length <= 34) || (line.length >= 40 && line.length <= 48));
}

/**
 * Brings a line to `length` by lengthening or shortening its longest run of fillers (OCR most often misses or
 * doubles a `<` in a long run). Lines more than 3 off, or with no run to adjust, are returned unchanged.
 */
export function fitLength(line: string, length: number): string {
  const diff = length - line.length;
  if (diff === 0 || Math.abs(diff) > 3) return line;
  let best: { at: number; len: number } | undefined;
  for (const m of line.matchAll(/<+/g)) {
    if (!best || m[0].length >= best.len) best = { at: m.index, len: m[0].length };
  }
  if (!best || best.len + diff < 1) return line;
  return line.slice(0, best.at) + '<'.repeat(best.len + diff) + line.slice(best.at + best.len);
}

/** Undoes letter↔digit confusions where the position's class allows only one of them. */
export function normaliseClasses(lines: readonly string[], format: MrzFormat): string[] {
  const classes = charClasses(format);
  return lines.map((line, l) =>
    [...line]
      .map((c, i) => {
        const cls = classes[l]?.[i];
        if (cls === 'numeric') return TO_DIGIT[c] ?? c;
        if (cls === 'alpha') return TO_LETTER[c] ?? c;
        return c;
      })
      .join(''),
  );
}

/**
 * The MRZ line sets that OCR text may hold, best guess first: the last 3 MRZ-like lines as TD1 or the last 2
 * as TD3, whichever their lengths fit, repaired as above. Empty when no line looks like an MRZ line.
 */
export function mrzCandidates(ocrText: string): string[][] {
  const lines = ocrText.split(/\r?\n/).map(cleanLine).filter(looksLikeMrz);
  const out: string[][] = [];
  for (const format of formatsByFit(lines)) {
    const { lines: n, length } = MRZ_SHAPES[format];
    if (lines.length < n) continue;
    const picked = lines.slice(-n).map((l) => fitLength(l, length));
    out.push(normaliseClasses(picked, format));
  }
  return out;
}

function formatsByFit(lines: string[]): MrzFormat[] {
  const misfit = (f: MrzFormat) => {
    const { lines: n, length } = MRZ_SHAPES[f];
    return lines.slice(-n).reduce((s, l) => s + Math.abs(l.length - length), 0) / n;
  };
  return (['TD3', 'TD1'] as const)
    .filter((f) => lines.length >= MRZ_SHAPES[f].lines)
    .sort((a, b) => misfit(a) - misfit(b));
}
