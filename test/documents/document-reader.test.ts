import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import { loadConfig } from '../../src/config/config.js';
import { DocumentReader } from '../../src/documents/document-reader.js';
import { AppError, type ErrorCode } from '../../src/errors/app-error.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { degrade } from './degrade.js';
import { assertOcrBFont, renderIdCard, renderPassport } from './document-image.js';
import { buildMrz, newFields, randomFields, seeded } from './mrz-builder.js';

/**
 * The document module end to end on real parts: documents rendered with the OCR-B font and real faces,
 * Tesseract (legacy and LSTM) reading them offline, the real face engine finding and comparing portraits.
 */
const today = new Date('2025-06-01T10:00:00Z');
const clock = { now: () => today };
let engine: FaceEngine;
let documents: DocumentReader;
let faceA1: Buffer, faceA2: Buffer, faceB: Buffer;

beforeAll(async () => {
  assertOcrBFont();
  const config = loadConfig({ OBLIK_ENGINE_THREADS: '1' });
  engine = await startTestEngine({ OBLIK_ENGINE_THREADS: '1' });
  documents = await DocumentReader.start({ ocr: config.documents.ocr, intake: config.engine.intake }, engine, clock);
  [faceA1, faceA2, faceB] = await Promise.all([
    readFace('lfw-dev', 'Ai_Sugiyama', 'Ai_Sugiyama_0001.jpg'),
    readFace('lfw-dev', 'Ai_Sugiyama', 'Ai_Sugiyama_0002.jpg'),
    readFace('lfw-dev', 'Aaron_Peirsol', 'Aaron_Peirsol_0001.jpg'),
  ]);
});

afterAll(async () => {
  await documents?.close();
  await engine?.close();
});

async function code(work: Promise<unknown>): Promise<{ code: ErrorCode; data?: Record<string, unknown> }> {
  try {
    await work;
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, ...(e.data ? { data: e.data } : {}) };
    throw e;
  }
  throw new Error('accepted');
}

describe('DocumentReader.read', () => {
  it('reads MRZ text, and refuses an expired document by the injected clock', async () => {
    const fields = newFields();
    const { document, source } = await documents.read({ mrz: buildMrz(fields).join('\n') });
    expect(source).toBe('mrz');
    expect(document).toMatchObject({ documentNumber: 'N12345678', surname: 'ABENOVA', expiryDate: '2034-06-30' });
    expect(await code(documents.read({ mrz: buildMrz(newFields({ expiry: '250531' })) }))).toEqual({
      code: 'document.expired',
      data: { expiryDate: '2025-05-31' },
    });
    // Valid through its expiry day.
    expect((await documents.read({ mrz: buildMrz(newFields({ expiry: '250601' })) })).document.expiryDate).toBe(
      '2025-06-01',
    );
  });

  it('reads a passport photo and an ID card scan', async () => {
    const passport = newFields({ surname: 'NURLANULY', givenNames: 'DANIYAR', documentNumber: 'K7041123M' });
    const read = await documents.read({ image: (await renderPassport(passport, faceA1)).image });
    expect(read.source).toBe('image');
    expect(read.document).toMatchObject({ format: 'TD3', documentNumber: 'K7041123M', surname: 'NURLANULY' });
    expect(read.document).toMatchObject({ givenNames: 'DANIYAR', birthDate: '1990-02-15', sex: 'female' });
    const card = newFields({ format: 'TD1', documentNumber: 'HX2250917', optionalData: ['880101', ''] });
    const scan = await renderIdCard(card, faceB);
    const jpeg = await sharp(scan.image).jpeg({ quality: 80 }).toBuffer();
    expect((await documents.read({ image: jpeg })).document).toMatchObject({
      format: 'TD1',
      documentNumber: 'HX2250917',
      optionalData: ['880101', ''],
      givenNames: 'AIGERIM SERIKOVNA',
    });
  });

  it('reads a passport photographed upside down', async () => {
    const { image } = await renderPassport(newFields({ documentNumber: 'K7041123M' }), faceA1);
    const turned = await sharp(image).rotate(180).jpeg({ quality: 85 }).toBuffer();
    expect((await documents.read({ image: turned })).document.documentNumber).toBe('K7041123M');
  });

  it('never accepts a degraded photo as another document: each is read exactly or refused', async () => {
    const rand = seeded(11);
    let read = 0;
    for (const [i, kind] of (
      ['rotation', 'perspective', 'uneven_light', 'blur', 'noise', 'low_resolution'] as const
    ).entries()) {
      const fields = randomFields(rand, i % 2 ? 'TD1' : 'TD3', today);
      const doc = await (fields.format === 'TD3' ? renderPassport : renderIdCard)(fields, faceA1);
      const image = await degrade(doc.image, kind, seeded(i));
      try {
        const { document } = await documents.read({ image });
        expect(document.lines, kind).toEqual(doc.lines);
        read++;
      } catch (e) {
        expect((e as AppError).code, kind).toBe('document.unreadable');
      }
    }
    expect(read).toBeGreaterThanOrEqual(4);
  });

  it('refuses a printed MRZ whose check digit fails as unreadable, never as another document', async () => {
    const lines = buildMrz(newFields());
    const wrong = [lines[0]!, lines[1]!.slice(0, 19) + ((Number(lines[1]![19]) + 3) % 10) + lines[1]!.slice(20)];
    const { image } = await renderPassport(newFields(), faceA1, { mrz: wrong });
    expect(await code(documents.read({ image }))).toMatchObject({
      code: 'document.unreadable',
      data: { reason: 'check_digit' },
    });
  });

  it('reports a photo with no MRZ as mrz_not_found, and bad image bytes with the intake codes', async () => {
    expect((await code(documents.read({ image: faceA1 }))).code).toBe('document.mrz_not_found');
    const blank = await sharp({ create: { width: 800, height: 560, channels: 3, background: '#eef3ee' } })
      .png()
      .toBuffer();
    expect((await code(documents.read({ image: blank }))).code).toBe('document.mrz_not_found');
    expect((await code(documents.read({ image: Buffer.from('not an image') }))).code).toBe('image.unsupported_format');
    expect((await code(documents.read({ image: new Uint8Array(0) }))).code).toBe('image.unreadable');
  });
});

describe('DocumentReader.portraitScore', () => {
  it('matches the portrait with the same person live, not with someone else', async () => {
    const { image } = await renderPassport(newFields(), faceA1);
    const live = (await engine.capture(faceA2, { requireLiveness: false })).template;
    const other = (await engine.capture(faceB, { requireLiveness: false })).template;
    const genuine = await documents.portraitScore(image, live);
    const impostor = await documents.portraitScore(image, other);
    expect(genuine).toMatchObject({ match: true, threshold: engine.settings.matchThreshold });
    expect(genuine.score).toBeGreaterThan(impostor.score + 0.2);
    expect(impostor.match).toBe(false);
    expect(genuine.quality.measures.interEyePx).toBeGreaterThan(0);
  });

  it('finds the small printed portrait that the default capture policy would refuse as a print', async () => {
    const { image } = await renderIdCard(newFields({ format: 'TD1' }), faceA1);
    expect((await code(engine.capture(image))).code).toMatch(/^face\.(spoof_suspected|low_quality)$/);
    const live = (await engine.capture(faceA2, { requireLiveness: false })).template;
    expect((await documents.portraitScore(image, live)).match).toBe(true);
  });

  it('refuses a document image without a portrait', async () => {
    const blank = await sharp({ create: { width: 1250, height: 880, channels: 3, background: '#eef3ee' } })
      .png()
      .toBuffer();
    const live = (await engine.capture(faceA2, { requireLiveness: false })).template;
    expect((await code(documents.portraitScore(blank, live))).code).toBe('document.portrait_not_found');
  });
});
