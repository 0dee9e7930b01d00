import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DATASETS_AVAILABLE, readFace, readSpoof } from '../../test/datasets.js';
import { pngHeader, sidewaysWithExif } from '../../test/images.js';
import { AppError } from '../errors/app-error.js';
import { headerDimensions } from './image-header.js';
import { decodeImage, sniffFormat } from './image-intake.js';

const limits = { maxBytes: 10_000_000, maxPixels: 40_000_000, maxSide: 1280 };
const solid = (format: 'jpeg' | 'png' | 'webp', width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 30 } } })
    .toFormat(format)
    .toBuffer();

describe('image intake', () => {
  it.each(['jpeg', 'png', 'webp'] as const)('sniffs %s and reads its size from the header alone', async (format) => {
    const img = await solid(format, 321, 123);
    expect(sniffFormat(img)).toBe(format);
    expect(headerDimensions(img, format)).toEqual({ width: 321, height: 123 });
  });

  it('does not mistake other bytes for an image', () => {
    expect(sniffFormat(Buffer.from('GIF89a'))).toBeUndefined();
    expect(sniffFormat(Buffer.from('%PDF-1.7'))).toBeUndefined();
    expect(sniffFormat(new Uint8Array([0xff, 0xd8]))).toBeUndefined();
  });

  it('decodes to upright RGB, greyscale PNGs included', async () => {
    const grey = await sharp(await readFace('small', 'amy', 'amy1.png'))
      .resize(150, 150)
      .removeAlpha()
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const d = await decodeImage(grey, limits);
    expect(d).toMatchObject({ format: 'png', width: 150, height: 150, scale: 1 });
    expect(d.raster.channels).toBe(3);
    expect(d.raster.data).toHaveLength(150 * 150 * 3);
  });

  it('applies the EXIF orientation', async () => {
    const upright = await readFace('small', 'deepface5', 'img1.jpg');
    const sideways = await sidewaysWithExif(
      await sharp(upright).extract({ left: 0, top: 0, width: 250, height: 200 }).toBuffer(),
    );
    expect((await sharp(sideways).metadata()).width).toBe(200); // stored rotated
    const d = await decodeImage(sideways, limits);
    expect([d.width, d.height]).toEqual([250, 200]);
  });

  it.runIf(DATASETS_AVAILABLE)(
    'reads the phone photos of the spoof set upright (stored sideways with an EXIF flag)',
    async () => {
      const original = await decodeImage(await readSpoof('real', 'silentface', 'image_T1.jpg'), limits);
      const copy = await decodeImage(await readSpoof('real', 'silentface', 'image_T1_upright.jpg'), limits);
      expect([original.width, original.height]).toEqual([copy.width, copy.height]);
    },
  );

  it('downscales large photos to the working size and reports the scale', async () => {
    const d = await decodeImage(await solid('jpeg', 4000, 3000), limits);
    expect([d.raster.width, d.raster.height]).toEqual([1280, 960]);
    expect(d.scale).toBeCloseTo(0.32, 3);
    expect([d.width, d.height]).toEqual([4000, 3000]);
  });

  it('refuses a decompression bomb from its header, whatever the format', async () => {
    for (const bomb of [pngHeader(30000, 30000), pngHeader(100000, 1000)]) {
      await expect(decodeImage(bomb, limits)).rejects.toMatchObject({ code: 'image.too_large' });
    }
    const big = await solid('jpeg', 7000, 7000);
    await expect(decodeImage(big, limits)).rejects.toMatchObject({ code: 'image.too_large', data: { width: 7000 } });
  });

  it('refuses with typed errors, never a crash', async () => {
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), 'image.unreadable'],
      [Buffer.from('hello'), 'image.unsupported_format'],
      [pngHeader(10, 10), 'image.unreadable'],
      [(await solid('webp', 64, 64)).subarray(0, 40), 'image.unreadable'],
    ];
    for (const [bytes, code] of cases) {
      const e: unknown = await decodeImage(bytes, limits).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe(code);
    }
  });
});
