import { AppError } from '../errors/app-error.js';
import { charClasses, checkablePair, type MrzFormat } from './mrz-layout.js';
import { mrzCandidates } from './mrz-text.js';
import { align, doubtedFields, hasOpinion, unconfirmed } from './mrz-verify.js';
import { parseMrz, unreadable, type MrzDocument } from './mrz.js';

/**
 * What two OCR readings of one MRZ strip amount to. Pure.
 *
 * The primary (legacy) reading gives the candidates. Where the second (LSTM) reading differs from it in a
 * document number or optional data by a letter/digit confusion the check digits can tell apart (O/0, S/5,
 * B/8, Z/2, I/1, D/0, Q/0), both characters are tried, and the check digits choose. A document is accepted
 * only if exactly one distinct document passes every check and the second reading (and every earlier second
 * reading of the same lines) confirms the positions no check digit protects (`mrz-verify.ts`).
 *
 * Returns `undefined` when neither reading holds MRZ-like text; throws `document.unreadable` otherwise.
 */
export function decideMrz(
  primaryText: string,
  secondText: string,
  today: Date,
  earlierSeconds: readonly string[] = [],
): MrzDocument | undefined {
  const candidates = mrzCandidates(primaryText);
  if (candidates.length === 0) return undefined;
  const accepted = new Map<string, MrzDocument>();
  let refusal: AppError | undefined;
  for (const lines of candidates) {
    const format: MrzFormat = lines.length === 3 ? 'TD1' : 'TD3';
    for (const variant of variants(lines, format, secondText)) {
      let document: MrzDocument;
      try {
        document = parseMrz(variant, today);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        refusal ??= e;
        continue;
      }
      // Every second reading of the strip so far must confirm it: a blur that makes both readers see a 6 in
      // one pass can leave the G visible to one of them in another. (A reading with no lines has no say.)
      const others = earlierSeconds.filter((s) => hasOpinion(s, lines.length));
      const doubts = [secondText, ...others].flatMap((s) => unconfirmed(document.lines, format, s));
      if (doubts.length === 0) accepted.set(document.lines.join('\n'), document);
      else
        refusal = unreadable('unconfirmed', 'the MRZ could not be read with certainty', doubtedFields(format, doubts));
    }
  }
  if (accepted.size === 1) return [...accepted.values()][0];
  if (accepted.size > 1) throw unreadable('unconfirmed', 'the MRZ reads as more than one valid document');
  throw refusal ?? unreadable('length', 'the MRZ text does not have an MRZ shape');
}

/** At most this many positions are branched on (2^4 candidates): beyond it, the read is too uncertain. */
const MAX_BRANCHES = 4;

/** The lines, and their variants with the second reading's character at each checkable disagreement. */
function variants(lines: string[], format: MrzFormat, secondText: string): string[][] {
  const classes = charClasses(format);
  const second = secondText
    .split(/\r?\n/)
    .map((l) => l.toUpperCase().replace(/[^A-Z0-9<]/g, ''))
    .filter((l) => l.length >= 20)
    .slice(-lines.length);
  if (second.length !== lines.length) return [lines];
  const branches: { line: number; at: number; alt: string }[] = [];
  lines.forEach((line, l) => {
    align(line, second[l]!).forEach((s, i) => {
      if (s !== undefined && classes[l]![i] === 'alnum' && checkablePair(line[i]!, s))
        branches.push({ line: l, at: i, alt: s });
    });
  });
  if (branches.length === 0 || branches.length > MAX_BRANCHES) return [lines];
  const out: string[][] = [];
  for (let mask = 0; mask < 1 << branches.length; mask++) {
    const v = lines.map((l) => [...l]);
    branches.forEach((b, k) => {
      if (mask & (1 << k)) v[b.line]![b.at] = b.alt;
    });
    out.push(v.map((chars) => chars.join('')));
  }
  return out;
}
