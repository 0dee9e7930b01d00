import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { OcrPool } from '../../src/documents/ocr-pool.js';
import type { AppError } from '../../src/errors/app-error.js';

/** A small image of one printed MRZ-like line, read in well under a second. */
const line = () =>
  sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="90"><rect width="100%" height="100%" fill="#fff"/>' +
        '<text x="20" y="60" font-family="OCR B" font-size="40">P&lt;KAZABENOVA&lt;&lt;AIGERIM</text></svg>',
    ),
  )
    .png()
    .toBuffer();

/** Random noise: Tesseract finds "characters" everywhere and takes most of a minute over it. */
async function noise(): Promise<Buffer> {
  const data = Buffer.alloc(2400 * 2400);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  return sharp(data, { raw: { width: 2400, height: 2400, channels: 1 } })
    .png()
    .toBuffer();
}

describe('OcrPool', () => {
  it('reads with a long-lived worker, one read after another', async () => {
    const pool = await OcrPool.start({ workers: 1, timeoutMs: 20_000, maxQueue: 4 });
    try {
      const image = await line();
      for (let i = 0; i < 3; i++) expect((await pool.recognize(image)).trim()).toBe('P<KAZABENOVA<<AIGERIM');
    } finally {
      await pool.close();
    }
  });

  it('refuses reads beyond its queue at once, with engine.unavailable', async () => {
    const pool = await OcrPool.start({ workers: 1, timeoutMs: 20_000, maxQueue: 1 });
    try {
      const image = await line();
      const results = await Promise.allSettled([0, 1, 2].map(() => pool.recognize(image)));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      const refused = (results[2] as PromiseRejectedResult).reason as AppError;
      expect(refused).toMatchObject({ code: 'engine.unavailable', data: { engine: 'ocr', reason: 'queue_full' } });
    } finally {
      await pool.close();
    }
  });

  it('abandons a read past its timeout, replaces the worker, and reads again', async () => {
    const pool = await OcrPool.start({ workers: 1, timeoutMs: 3000, maxQueue: 4 });
    try {
      await expect(pool.recognize(await noise())).rejects.toMatchObject({
        code: 'engine.unavailable',
        data: { reason: 'timeout' },
      });
      // The replacement worker starts within the next read's wait; a small read fits in the timeout.
      const image = await line();
      let text = '';
      for (let attempt = 0; attempt < 5 && !text; attempt++) text = await pool.recognize(image).catch(() => '');
      expect(text.trim()).toBe('P<KAZABENOVA<<AIGERIM');
    } finally {
      await pool.close();
    }
  });
});
