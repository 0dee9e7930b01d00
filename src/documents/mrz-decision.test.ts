import { describe, expect, it } from 'vitest';
import { buildMrz, newFields } from '../../test/documents/mrz-builder.js';
import { AppError } from '../errors/app-error.js';
import { decideMrz } from './mrz-decision.js';
import { cleanLine, fitLength, mrzCandidates, normaliseClasses } from './mrz-text.js';
import { align, unconfirmed } from './mrz-verify.js';

const today = new Date('2025-06-01T00:00:00Z');
const td3 = buildMrz(newFields({ documentNumber: 'G6919131R' }));
const td1 = buildMrz(newFields({ format: 'TD1', documentNumber: 'CO3110366' }));
const text = (lines: string[]) => lines.join('\n');
/** How Tesseract's LSTM engine renders filler runs: `<<<<` as a jumble of K, L and <. */
const lstmFillers = (line: string) => line.replace(/<{2,}/g, (run) => '<K<KL'.repeat(Math.ceil(run.length / 3)));
const at = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);

function refusal(work: () => unknown): AppError {
  try {
    work();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('OCR text repair', () => {
  it('cleans lines and fits filler runs to the format length', () => {
    expect(cleanLine(' p<kaz abenova << ')).toBe('P<KAZABENOVA<<');
    expect(fitLength('AB<<<<C', 9)).toBe('AB<<<<<<C');
    expect(fitLength('AB<<<<C', 5)).toBe('AB<<C');
    expect(fitLength('ABC', 5)).toBe('ABC'); // no run to adjust
    expect(fitLength('AB<C', 10)).toBe('AB<C'); // too far off
  });

  it('undoes letter/digit confusions only where the position allows one class', () => {
    const [l1, l2] = td3 as [string, string];
    // A zero in the surname, an O in the birth date, a B in a check digit; the document number is left alone.
    const misread = [at(l1, 6, '8'), at(at(l2, 14, 'O'), 9, 'B')];
    const fixed = normaliseClasses(misread, 'TD3');
    expect(fixed[0]![6]).toBe('B');
    expect(fixed[1]![14]).toBe('0');
    expect(fixed[1]![9]).toBe('8');
    expect(normaliseClasses([at(l1, 6, '8'), at(l2, 0, '6')], 'TD3')[1]![0]).toBe('6');
  });

  it('finds the MRZ lines among other OCR text, of either format', () => {
    expect(mrzCandidates(`PASSPORT\n${td3[0]!.slice(0, 43)}\n${td3[1]}\n`)[0]).toEqual(td3);
    expect(mrzCandidates(text(td1))[0]).toEqual(td1);
    expect(mrzCandidates('PASSPORT\nABENOVA AIGERIM\n')).toEqual([]);
  });
});

describe('second opinion', () => {
  it('aligns a reading whose filler runs are garbled', () => {
    const second = lstmFillers(td3[0]!);
    const aligned = align(td3[0]!, second);
    [...td3[0]!].forEach((c, i) => {
      if (c !== '<') expect(aligned[i]).toBe(c);
    });
    expect(unconfirmed(td3, 'TD3', text(td3.map(lstmFillers)))).toEqual([]);
  });

  it('flags a name the two readers read differently, and a missing second reading', () => {
    const doubts = unconfirmed(td3, 'TD3', text([at(td3[0]!, 8, 'H'), td3[1]!]));
    expect(doubts).toEqual(['0:8']);
    expect(unconfirmed(td3, 'TD3', '').length).toBeGreaterThan(20);
  });
});

describe('decideMrz', () => {
  it('accepts what both readers agree on', () => {
    expect(decideMrz(text(td3), text(td3.map(lstmFillers)), today)?.documentNumber).toBe('G6919131R');
    expect(decideMrz(text(td1), text(td1), today)?.documentNumber).toBe('CO3110366');
  });

  it('refuses a G read as 6 in a document number: the check digits cannot see it, the second reader can', () => {
    const misread = [td3[0]!, at(td3[1]!, 0, '6')];
    expect(refusal(() => decideMrz(text(misread), text(td3), today)).data).toEqual({
      reason: 'unconfirmed',
      fields: ['documentNumber'],
    });
  });

  it('refuses what both readers misread alike when an earlier second reading saw it otherwise', () => {
    const misread = [td3[0]!, at(td3[1]!, 0, '6')];
    expect(decideMrz(text(misread), text(misread), today)?.documentNumber).toBe('66919131R'); // the blind spot
    expect(refusal(() => decideMrz(text(misread), text(misread), today, [text(td3)])).data).toMatchObject({
      reason: 'unconfirmed',
    });
    // An earlier reading with no MRZ lines in it has no say.
    expect(decideMrz(text(td3), text(td3), today, ['IDENTITY CARD'])?.documentNumber).toBe('G6919131R');
  });

  it('refuses a misread name that passes every check digit', () => {
    const misread = [at(td3[0]!, 8, 'H'), td3[1]!];
    expect(refusal(() => decideMrz(text(misread), text(td3), today)).data).toEqual({
      reason: 'unconfirmed',
      fields: ['names'],
    });
  });

  it('lets the check digits choose between O and 0 when the readers disagree on it', () => {
    // The primary reads the O of CO3110366 as 0, which fails the check digit; the second reads O.
    const misread = [at(td1[0]!, 6, '0'), td1[1]!, td1[2]!];
    expect(decideMrz(text(misread), text(td1), today)?.documentNumber).toBe('CO3110366');
    // The other way round: the check digit rejects the second reader's O where the truth is 0.
    const zero = buildMrz(newFields({ format: 'TD1', documentNumber: 'C03110366' }));
    expect(decideMrz(text(zero), text([at(zero[0]!, 6, 'O'), zero[1]!, zero[2]!]), today)?.documentNumber).toBe(
      'C03110366',
    );
  });

  it('reports a check digit failure that no disagreement explains, and nothing for text with no MRZ', () => {
    const broken = [td3[0]!, at(td3[1]!, 19, String((Number(td3[1]![19]) + 1) % 10))];
    expect(refusal(() => decideMrz(text(broken), text(broken), today)).data).toMatchObject({ reason: 'check_digit' });
    expect(decideMrz('IDENTITY CARD\nMINISTRY OF INTERNAL AFFAIRS', '', today)).toBeUndefined();
  });
});
