import sharp from 'sharp';

/**
 * Factories for test images built from real faces: group photos, blurred or tiny faces, rotated copies with
 * an EXIF orientation flag, and byte-level corruptions.
 */

/** Two real faces side by side on one canvas: a group photo with two comparably large faces. */
export async function groupPhoto(a: Buffer, b: Buffer): Promise<Buffer> {
  const [ra, rb] = await Promise.all([a, b].map((img) => sharp(img).resize(250, 250).toBuffer()));
  return sharp({ create: { width: 520, height: 300, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .composite([
      { input: ra!, left: 0, top: 25 },
      { input: rb!, left: 270, top: 25 },
    ])
    .jpeg()
    .toBuffer();
}

/** The image rotated 90° clockwise in its pixels, with EXIF orientation 8 telling viewers to undo it. */
export async function sidewaysWithExif(img: Buffer): Promise<Buffer> {
  return sharp(img).rotate(90).withMetadata({ orientation: 8 }).jpeg({ quality: 95 }).toBuffer();
}

export const blurred = (img: Buffer, sigma = 6) => sharp(img).blur(sigma).jpeg().toBuffer();

/** The image shrunk so that the face is a few pixels across, pasted on a larger grey canvas. */
export async function tinyFace(img: Buffer): Promise<Buffer> {
  const small = await sharp(img).resize(48, 48).toBuffer();
  return sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .composite([{ input: small, left: 76, top: 76 }])
    .png()
    .toBuffer();
}

export const flatGrey = () =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 127, g: 127, b: 127 } } })
    .png()
    .toBuffer();

/** The central part of a photo centred on a face: the face with almost none of its surroundings. */
export async function tightCrop(img: Buffer, share = 0.42): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(img).metadata();
  const w = Math.round(width * share);
  const h = Math.round(height * share);
  return sharp(img)
    .extract({ left: Math.round((width - w) / 2), top: Math.round((height - h) / 2), width: w, height: h })
    .png()
    .toBuffer();
}

export const darkened = (img: Buffer) => sharp(img).linear(0.25, 0).jpeg().toBuffer();

/** A PNG signature and IHDR chunk declaring width × height, with no pixel data: a decompression bomb's header. */
export function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  const chunk = Buffer.concat([Buffer.from('IHDR'), ihdr]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(chunk));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, chunk, crc]);
}

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
