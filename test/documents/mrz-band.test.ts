import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Raster } from '../../src/biometrics/raster.js';
import { findLineGroups } from '../../src/documents/mrz-band.js';
import { readFace } from '../datasets.js';
import { assertOcrBFont, renderIdCard, renderPassport } from './document-image.js';
import { newFields } from './mrz-builder.js';

async function greyAt1000(image: Buffer): Promise<Raster> {
  const { data, info } = await sharp(image).greyscale().resize(1000).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 1, data: new Uint8Array(data) };
}

const deg = (rad: number) => (rad * 180) / Math.PI;
let face: Buffer;

beforeAll(async () => {
  assertOcrBFont();
  face = await readFace('lfw-dev', 'Aaron_Peirsol', 'Aaron_Peirsol_0001.jpg');
});

describe('findLineGroups', () => {
  it('finds the two MRZ lines at the bottom of a passport page, level and as long as each other', async () => {
    const { image } = await renderPassport(newFields(), face);
    const [best] = findLineGroups(await greyAt1000(image));
    expect(best!.lines).toHaveLength(2);
    for (const l of best!.lines) {
      expect(l.cy).toBeGreaterThan(560); // the lower third of the 704-pixel-high page
      expect(l.length).toBeGreaterThan(800); // 44 characters span about 90% of the page
      expect(Math.abs(deg(l.angle))).toBeLessThan(0.3);
    }
  });

  it('finds the three lines of an ID card on the back, below the front', async () => {
    const { image, height, width } = await renderIdCard(newFields({ format: 'TD1' }), face);
    const [best] = findLineGroups(await greyAt1000(image));
    expect(best!.lines).toHaveLength(3);
    expect(Math.min(...best!.lines.map((l) => l.cy))).toBeGreaterThan(0.6 * height * (1000 / width));
  });

  it('follows a rotation of the page in each line’s direction', async () => {
    const { image } = await renderPassport(newFields(), face);
    const rotated = await sharp(image).rotate(2.5, { background: '#5c544a' }).png().toBuffer();
    const [best] = findLineGroups(await greyAt1000(rotated));
    expect(best!.lines).toHaveLength(2);
    for (const l of best!.lines) expect(deg(l.angle)).toBeCloseTo(2.5, 0);
  });

  it('finds no MRZ in a face photo or on blank paper', async () => {
    expect(findLineGroups(await greyAt1000(face))).toEqual([]);
    const blank = await sharp({ create: { width: 1000, height: 700, channels: 3, background: '#eef3ee' } })
      .png()
      .toBuffer();
    expect(findLineGroups(await greyAt1000(blank))).toEqual([]);
  });
});
