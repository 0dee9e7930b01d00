import sharp, { type Sharp } from 'sharp';

/**
 * What a phone camera or a cheap scanner does to a document image, one effect at a time, with strength
 * drawn from a seeded generator: blur, heavy JPEG compression, sensor noise, a slight rotation (±3°), a
 * perspective (keystone) tilt, low resolution and uneven light. Test helper, not shipped.
 */
export const DEGRADATIONS = [
  'clean',
  'blur',
  'jpeg',
  'noise',
  'rotation',
  'perspective',
  'low_resolution',
  'uneven_light',
] as const;
export type Degradation = (typeof DEGRADATIONS)[number];

const TABLE = { r: 92, g: 84, b: 74 };

interface Raw {
  data: Buffer;
  width: number;
  height: number;
}

async function raw(image: Buffer | Sharp): Promise<Raw> {
  const s = Buffer.isBuffer(image) ? sharp(image) : image;
  const { data, info } = await s.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const jpeg = (r: Raw, quality: number) =>
  sharp(r.data, { raw: { width: r.width, height: r.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();

/** The document on a table, with a border of `frac` of its size: what a photo around it shows. */
async function onTable(image: Buffer, frac: number): Promise<Buffer> {
  const meta = await sharp(image).metadata();
  const pad = Math.round(frac * Math.max(meta.width, meta.height));
  return sharp(image).extend({ top: pad, bottom: pad, left: pad, right: pad, background: TABLE }).png().toBuffer();
}

/** `rand` in [0, 1) to [lo, hi). */
const between = (rand: () => number, lo: number, hi: number) => lo + (hi - lo) * rand();

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export async function degrade(image: Buffer, kind: Degradation, rand: () => number): Promise<Buffer> {
  switch (kind) {
    case 'clean':
      return image;
    case 'blur':
      return sharp(image)
        .blur(between(rand, 1.2, 2.2))
        .jpeg({ quality: 90 })
        .toBuffer();
    case 'jpeg':
      return sharp(image)
        .jpeg({ quality: Math.round(between(rand, 12, 22)) })
        .toBuffer();
    case 'noise': {
      const r = await raw(image);
      const sigma = between(rand, 14, 24);
      for (let i = 0; i < r.data.length; i++)
        r.data[i] = Math.max(0, Math.min(255, r.data[i]! + sigma * gaussian(rand)));
      return jpeg(r, 90);
    }
    case 'rotation': {
      const angle = (rand() < 0.5 ? -1 : 1) * between(rand, 1, 3);
      return sharp(await onTable(image, 0.04))
        .rotate(angle, { background: TABLE })
        .jpeg({ quality: 90 })
        .toBuffer();
    }
    case 'perspective':
      return jpeg(keystone(await raw(await onTable(image, 0.06)), rand), 90);
    case 'low_resolution': {
      const meta = await sharp(image).metadata();
      return sharp(image)
        .resize(Math.round(meta.width * between(rand, 0.5, 0.6)))
        .jpeg({ quality: 90 })
        .toBuffer();
    }
    case 'uneven_light':
      return jpeg(shade(await raw(image), rand), 90);
  }
}

/** Light falling from one side: brightness from 1 down to about 0.4, plus a soft glare spot. */
function shade(r: Raw, rand: () => number): Raw {
  const angle = rand() * 2 * Math.PI;
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const low = between(rand, 0.35, 0.5);
  const [gx, gy] = [between(rand, 0.2, 0.8) * r.width, between(rand, 0.2, 0.8) * r.height];
  const glareR = 0.25 * Math.min(r.width, r.height);
  const diag = Math.hypot(r.width, r.height);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const t = ((x - r.width / 2) * dx + (y - r.height / 2) * dy) / diag + 0.5;
      const light = 1 - (1 - low) * Math.max(0, Math.min(1, t));
      const glare = 60 * Math.exp(-((x - gx) ** 2 + (y - gy) ** 2) / (2 * glareR * glareR));
      for (let c = 0; c < 3; c++) {
        const i = (y * r.width + x) * 3 + c;
        r.data[i] = Math.min(255, r.data[i]! * light + glare);
      }
    }
  }
  return r;
}

/** A keystone tilt: one edge of the image shortened by 5–9% at each end, as a camera not square to it sees it. */
function keystone(r: Raw, rand: () => number): Raw {
  const k = between(rand, 0.05, 0.09);
  const [w, h] = [r.width - 1, r.height - 1];
  const side = Math.floor(rand() * 4);
  // Destination corners (top-left, top-right, bottom-right, bottom-left) of the source rectangle.
  const dst: [number, number][] = [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ];
  const shrink = (a: number, b: number, horizontal: boolean) => {
    const d = (horizontal ? w : h) * k;
    if (horizontal) [dst[a]![0], dst[b]![0]] = [dst[a]![0] + d, dst[b]![0] - d];
    else [dst[a]![1], dst[b]![1]] = [dst[a]![1] + d, dst[b]![1] - d];
  };
  if (side === 0) shrink(0, 1, true);
  else if (side === 1) shrink(3, 2, true);
  else if (side === 2) shrink(0, 3, false);
  else shrink(1, 2, false);
  const src: [number, number][] = [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ];
  const back = homography(dst, src); // output pixel → source pixel
  const out = Buffer.alloc(r.data.length);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const z = back[6]! * x + back[7]! * y + 1;
      const sx = (back[0]! * x + back[1]! * y + back[2]!) / z;
      const sy = (back[3]! * x + back[4]! * y + back[5]!) / z;
      const o = (y * r.width + x) * 3;
      if (sx < 0 || sy < 0 || sx > w - 1 || sy > h - 1) {
        out[o] = TABLE.r;
        out[o + 1] = TABLE.g;
        out[o + 2] = TABLE.b;
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const i00 = (y0 * r.width + x0) * 3;
      const i10 = i00 + r.width * 3;
      const src = r.data;
      for (let c = 0; c < 3; c++) {
        const top = (1 - fx) * src[i00 + c]! + fx * src[i00 + 3 + c]!;
        const bottom = (1 - fx) * src[i10 + c]! + fx * src[i10 + 3 + c]!;
        out[o + c] = (1 - fy) * top + fy * bottom;
      }
    }
  }
  return { data: out, width: r.width, height: r.height };
}

/** The 3×3 projective map (h33 = 1) taking four points `from` onto four points `to`, by Gaussian elimination. */
function homography(from: [number, number][], to: [number, number][]): number[] {
  const a: number[][] = [];
  from.forEach(([x, y], i) => {
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  });
  for (let c = 0; c < 8; c++) {
    let pivot = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row, i) => row[8]! / row[i]!);
}
