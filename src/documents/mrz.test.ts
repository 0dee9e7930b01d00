import { describe, expect, it } from 'vitest';
import { buildMrz, newFields, randomFields, seeded } from '../../test/documents/mrz-builder.js';
import { AppError } from '../errors/app-error.js';
import { charClasses, checkDigit } from './mrz-layout.js';
import { documentIdentity, parseMrz } from './mrz.js';

const today = new Date('2025-06-01T12:00:00Z');

function refusal(input: string | string[]): AppError {
  try {
    parseMrz(input, today);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`);
}

// ICAO Doc 9303 specimens, with the fictional state UTO replaced by a real code: the state is covered by no
// check digit, so every check digit of the specimen still holds.
const SPECIMEN_TD3 = ['P<KAZERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36KAZ7408122F1204159ZE184226B<<<<<10'];
const SPECIMEN_TD1 = [
  'I<KAZD231458907<<<<<<<<<<<<<<<',
  '7408122F1204159KAZ<<<<<<<<<<<6',
  'ERIKSSON<<ANNA<MARIA<<<<<<<<<<',
];
const SPECIMEN_TD1_LONG = [
  'I<KAZD23145890<7349<<<<<<<<<<<',
  '3407127M9507122KAZ<<<<<<<<<<<2',
  'STEVENSON<<PETER<JOHN<<<<<<<<<',
];

describe('parseMrz', () => {
  it('reads the ICAO TD3 specimen', () => {
    expect(parseMrz(SPECIMEN_TD3, new Date('2010-01-01'))).toEqual({
      format: 'TD3',
      documentCode: 'P',
      issuingState: 'KAZ',
      documentNumber: 'L898902C3',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
      nationality: 'KAZ',
      birthDate: '1974-08-12',
      sex: 'female',
      expiryDate: '2012-04-15',
      optionalData: ['ZE184226B'],
      lines: SPECIMEN_TD3,
    });
  });

  it('reads the ICAO TD1 specimen, and its long document number form', () => {
    const td1 = parseMrz(SPECIMEN_TD1.join('\n'), new Date('2010-01-01'));
    expect(td1).toMatchObject({ format: 'TD1', documentCode: 'I', documentNumber: 'D23145890', sex: 'female' });
    expect(td1).toMatchObject({ birthDate: '1974-08-12', expiryDate: '2012-04-15', optionalData: ['', ''] });
    const long = parseMrz(SPECIMEN_TD1_LONG, new Date('1990-01-01'));
    expect(long).toMatchObject({ documentNumber: 'D23145890734', optionalData: ['', ''], surname: 'STEVENSON' });
    expect(long).toMatchObject({ givenNames: 'PETER JOHN', birthDate: '1934-07-12', expiryDate: '1995-07-12' });
  });

  it('reads what the builder writes, for random documents of both formats', () => {
    const rand = seeded(7);
    for (let i = 0; i < 300; i++) {
      const f = randomFields(rand, i % 2 ? 'TD1' : 'TD3', today);
      const doc = parseMrz(buildMrz(f), today);
      expect(doc.documentNumber).toBe(f.documentNumber);
      expect(doc.surname).toBe(f.surname);
      expect(doc.givenNames).toBe(f.givenNames);
      expect(doc.birthDate?.slice(2).replaceAll('-', '')).toBe(f.birth);
      expect(doc.expiryDate.slice(2).replaceAll('-', '')).toBe(f.expiry);
      expect(doc.optionalData[0]).toBe(f.optionalData[0]);
    }
  });

  it('accepts surrounding whitespace and CRLF, and a document with no given names', () => {
    const lines = buildMrz(newFields({ surname: 'MADONNA', givenNames: '' }));
    const doc = parseMrz(`  ${lines[0]}\r\n${lines[1]}  \n\n`, today);
    expect(doc).toMatchObject({ surname: 'MADONNA', givenNames: '' });
  });

  it('refuses a wrong shape as unreadable with reason length', () => {
    const lines = buildMrz(newFields());
    for (const bad of [
      [lines[0]!],
      [lines[0]!.slice(1), lines[1]!],
      [lines[0]!, lines[1]! + '<'],
      [...lines, lines[1]!],
      buildMrz(newFields({ format: 'TD1' })).map((l) => l.padEnd(36, '<')), // TD2 is not read
      ['<'.repeat(201)],
    ]) {
      expect(refusal(bad)).toMatchObject({ code: 'document.unreadable', status: 422, data: { reason: 'length' } });
    }
  });

  it('refuses characters outside the MRZ alphabet', () => {
    const lines = buildMrz(newFields());
    for (const bad of [lines[0]!.toLowerCase(), lines[0]!.replace('<', ' '), lines[0]!.replace('A', 'Ä')]) {
      expect(refusal([bad, lines[1]!]).data).toEqual({ reason: 'charset' });
    }
  });

  it('names the check digit that fails', () => {
    const [l1, l2] = buildMrz(newFields()) as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + String((Number(s[i]) + 1) % 10) + s.slice(i + 1);
    expect(refusal([l1, flip(l2, 9)]).data).toEqual({
      reason: 'check_digit',
      fields: ['documentNumberCheckDigit', 'compositeCheckDigit'],
    });
    expect(refusal([l1, flip(l2, 19)]).data?.['fields']).toContain('birthDateCheckDigit');
    expect(refusal([l1, flip(l2, 27)]).data?.['fields']).toContain('expiryDateCheckDigit');
    expect(refusal([l1, flip(l2, 42)]).data?.['fields']).toContain('optionalDataCheckDigit');
    expect(refusal([l1, flip(l2, 43)]).data).toEqual({ reason: 'check_digit', fields: ['compositeCheckDigit'] });
  });

  it('refuses fields that no check digit covers when they break the format', () => {
    const fieldsOf = (o: Parameters<typeof newFields>[0]) => refusal(buildMrz(newFields(o))).data;
    expect(fieldsOf({ issuingState: 'XYZ' })).toEqual({ reason: 'field', fields: ['issuingState'] });
    expect(fieldsOf({ nationality: 'QQQ' })).toEqual({ reason: 'field', fields: ['nationality'] });
    expect(fieldsOf({ sex: 'X' as 'M' })).toEqual({ reason: 'field', fields: ['sex'] });
    expect(fieldsOf({ documentCode: 'V' })).toEqual({ reason: 'field', fields: ['documentCode'] });
    expect(fieldsOf({ format: 'TD1', documentCode: 'IV' })).toEqual({ reason: 'field', fields: ['documentCode'] });
    expect(fieldsOf({ surname: 'ABEN0VA' })).toMatchObject({ reason: 'field', fields: ['names'] });
    // A filler read as K after the names: the names field would hold a third part.
    const [l1, l2] = buildMrz(newFields()) as [string, string];
    expect(refusal([l1.slice(0, 40) + 'K' + l1.slice(41), l2]).data).toEqual({ reason: 'field', fields: ['names'] });
  });

  it('refuses dates that are not days of the calendar, though their check digits hold', () => {
    expect(refusal(buildMrz(newFields({ birth: '900230' }))).data).toEqual({ reason: 'field', fields: ['birthDate'] });
    expect(refusal(buildMrz(newFields({ expiry: '341301' }))).data).toEqual({
      reason: 'field',
      fields: ['expiryDate'],
    });
    expect(refusal(buildMrz(newFields({ expiry: '3406<0' }))).data?.['reason']).toBe('field');
  });

  it('refuses a filler inside a document number, and a broken long-number form', () => {
    expect(refusal(buildMrz(newFields({ documentNumber: 'N123<5678' }))).data).toEqual({
      reason: 'field',
      fields: ['documentNumber'],
    });
    const td1 = buildMrz(newFields({ format: 'TD1', documentNumber: 'AB1234567' }));
    const l1 = td1[0]!.slice(0, 14) + '<' + td1[0]!.slice(15); // check digit blanked, no continuation
    expect(refusal([l1, td1[1]!, td1[2]!]).code).toBe('document.unreadable');
  });

  it('chooses the century: births are never in the future, expiries lie within 50 years', () => {
    const born = (birth: string) => parseMrz(buildMrz(newFields({ birth, expiry: '300101' })), today).birthDate;
    expect(born('250601')).toBe('2025-06-01');
    expect(born('250602')).toBe('1925-06-02');
    expect(born('000229')).toBe('2000-02-29');
    expect(born('99<<<<')).toBe('1999');
    expect(born('0712<<')).toBe('2007-12');
    expect(born('<<<<<<')).toBeNull();
    const expires = (expiry: string) => parseMrz(buildMrz(newFields({ expiry, birth: '500101' })), today).expiryDate;
    expect(expires('740101')).toBe('2074-01-01');
    expect(expires('750101')).toBe('1975-01-01');
  });

  it('identifies a document by kind, issuer and number, whatever the format', () => {
    expect(documentIdentity(parseMrz(SPECIMEN_TD3, new Date('2010-01-01')))).toBe('P|KAZ|L898902C3');
    expect(documentIdentity(parseMrz(SPECIMEN_TD1_LONG, new Date('1990-01-01')))).toBe('I|KAZ|D23145890734');
    const id = parseMrz(buildMrz(newFields({ format: 'TD1', documentCode: 'ID' })), today);
    expect(documentIdentity(id)).toBe(documentIdentity({ ...id, documentCode: 'IR' }));
  });

  it('takes a TD3 personal number filled out with a < or 0 check digit', () => {
    const lines = buildMrz(newFields({ optionalData: [''] }));
    expect(lines[1]!.slice(28, 43)).toBe('<'.repeat(15));
    expect(parseMrz(lines, today).optionalData).toEqual(['']);
  });
});

// Positions that feed a check digit or are one, per format: a substitution there changes a checked sum.
const COVERED: Record<'TD1' | 'TD3', (line: number, i: number) => boolean> = {
  TD3: (line, i) => line === 1 && !(i >= 10 && i < 13) && i !== 20,
  TD1: (line, i) => (line === 0 && i >= 5) || (line === 1 && !(i >= 15 && i < 18) && i !== 7),
};
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';
const value = (c: string) => (c === '<' ? 0 : c <= '9' ? Number(c) : c.charCodeAt(0) - 55);

describe('single-character corruption at every position', () => {
  const samples: [string, string[]][] = [
    ['TD3 specimen', SPECIMEN_TD3],
    ['TD1 specimen', SPECIMEN_TD1],
    ['TD1 long number', SPECIMEN_TD1_LONG],
    ['TD3 generated', buildMrz(newFields())],
    ['TD1 generated', buildMrz(newFields({ format: 'TD1', optionalData: ['ZX81', '7701'] }))],
  ];

  for (const [name, lines] of samples) {
    it(`${name}: every substitution a check digit can see is refused; the rest are only the scheme's blind spots`, () => {
      const format = lines.length === 3 ? 'TD1' : 'TD3';
      const base = parseMrz(lines, new Date('2010-01-01'));
      let refused = 0;
      let blind = 0;
      lines.forEach((line, l) => {
        for (let i = 0; i < line.length; i++) {
          for (const c of ALPHABET) {
            if (c === line[i]) continue;
            const corrupted = lines.map((x, k) => (k === l ? x.slice(0, i) + c + x.slice(i + 1) : x));
            let accepted;
            try {
              accepted = parseMrz(corrupted, new Date('2010-01-01'));
            } catch (e) {
              expect((e as AppError).code).toBe('document.unreadable');
              refused++;
              continue;
            }
            // The 7-3-1 scheme sums character values modulo 10: a substitution by a character of the same
            // value modulo 10 (0/A/K/U/<, 6/G/Q, …) changes no check digit, and names, nationality, sex
            // and the issuing state are covered by none. Anything else accepted would be a defect.
            const congruent = value(c) % 10 === value(line[i]!) % 10;
            expect(!COVERED[format](l, i) || congruent, `${name} line ${l} position ${i}: ${line[i]}→${c}`).toBe(true);
            expect(accepted).not.toEqual(base);
            blind++;
          }
        }
      });
      expect(refused).toBeGreaterThan(blind);
    });
  }

  it('refuses every common OCR confusion in a checked position, except where the scheme is blind to it', () => {
    const confusions = ['0O', '0D', '0Q', '0U', '1I', '1L', '2Z', '5S', '8B', '8S', '6G', '<K', '7T', 'CG', 'UV'];
    const seen = new Set<string>();
    for (const lines of [
      SPECIMEN_TD3,
      SPECIMEN_TD1,
      buildMrz(newFields({ format: 'TD1', optionalData: ['K6L', ''] })),
    ]) {
      const format = lines.length === 3 ? 'TD1' : 'TD3';
      const classes = charClasses(format);
      lines.forEach((line, l) => {
        for (let i = 0; i < line.length; i++) {
          if (!COVERED[format](l, i)) continue;
          for (const pair of confusions) {
            const at = pair.indexOf(line[i]!);
            if (at < 0) continue;
            const corrupted = lines.map((x, k) => (k === l ? x.slice(0, i) + pair[1 - at] + x.slice(i + 1) : x));
            let accepted = true;
            try {
              parseMrz(corrupted, new Date('2010-01-01'));
            } catch {
              accepted = false;
            }
            // Blind: the same value modulo 10, in a document number or optional data (where letters and
            // digits are both legitimate); dates and check digits refuse letters outright.
            const blind = value(pair[0]!) % 10 === value(pair[1]!) % 10 && classes[l]![i] === 'alnum';
            expect(accepted, `line ${l} position ${i}: ${pair}`).toBe(blind);
            if (blind) seen.add(pair);
          }
        }
      });
    }
    expect([...seen].sort()).toEqual(['0U', '1L', '6G', '8S', '<K'].filter((p) => seen.has(p)));
    expect(seen.has('<K')).toBe(true);
  });

  it('refuses every single deleted or inserted character', () => {
    for (const lines of [SPECIMEN_TD3, SPECIMEN_TD1]) {
      lines.forEach((line, l) => {
        for (let i = 0; i < line.length; i++) {
          const deleted = lines.map((x, k) => (k === l ? x.slice(0, i) + x.slice(i + 1) : x));
          const inserted = lines.map((x, k) => (k === l ? x.slice(0, i) + '<' + x.slice(i) : x));
          expect(refusal(deleted).data?.['reason']).toBe('length');
          expect(refusal(inserted).data?.['reason']).toBe('length');
        }
      });
    }
  });

  it('agrees with the ICAO check digit computed independently', () => {
    expect(checkDigit('L898902C3')).toBe(6);
    expect(checkDigit('740812')).toBe(2);
    expect(checkDigit('120415')).toBe(9);
    expect(checkDigit('ZE184226B<<<<<')).toBe(1);
    expect(checkDigit('L898902C36' + '7408122' + '1204159ZE184226B<<<<<1')).toBe(0);
  });
});
