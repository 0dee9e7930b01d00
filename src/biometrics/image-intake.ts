import sharp from 'sharp';
import { AppError, assertThat } from '../errors/app-error.js';
import { headerDimensions } from './image-header.js';
import type { Raster } from './raster.js';

/**
 * Image intake: the only place that touches untrusted image bytes. It sniffs the format from magic bytes,
 * refuses over-large inputs by byte count and by the pixel count in the header before decoding anything, and
 * decodes to upright RGB (EXIF orientation applied). Large photos are scaled down to `maxSide`, which keeps
 * every face the pipeline can use and bounds the work per image.
 */
export type ImageFormat = 'jpeg' | 'png' | 'webp';

export interface IntakeLimits {
  readonly maxBytes: number;
  readonly maxPixels: number;
  /** Longest side of the decoded working image; larger inputs are downscaled. */
  readonly maxSide: number;
}

export interface DecodedImage {
  readonly format: ImageFormat;
  /** Size of the upright original, in pixels. */
  readonly width: number;
  readonly height: number;
  /** The working raster (RGB); `scale` = working / original. */
  readonly raster: Raster;
  readonly scale: number;
}

/** Identifies JPEG, PNG and WebP from their signatures; anything else is `undefined`. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  const at = (i: number, ...sig: number[]) => sig.every((b, k) => bytes[i + k] === b);
  if (bytes.length >= 3 && at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (bytes.length >= 8 && at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (bytes.length >= 12 && at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  return undefined;
}

export async function decodeImage(bytes: Uint8Array, limits: IntakeLimits): Promise<DecodedImage> {
  assertThat(bytes.length > 0, 'image.unreadable', 'the image is empty', { reason: 'empty' });
  assertThat(bytes.length <= limits.maxBytes, 'image.too_large', `the image exceeds ${limits.maxBytes} bytes`, {
    bytes: bytes.length,
    maxBytes: limits.maxBytes,
  });
  const format = sniffFormat(bytes);
  assertThat(format, 'image.unsupported_format', 'the image is not JPEG, PNG or WebP');

  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The pixel count is known before a single pixel is decoded: from our own header parse, or from libvips'
  // header read where the container hides it (the parse returns nothing).
  const declared = headerDimensions(bytes, format) ?? (await headerFromLibvips(input));
  assertWithinPixels(declared.width, declared.height, limits);

  // failOn 'warning' turns libvips' "premature end of JPEG" and similar into errors: a truncated upload is
  // refused rather than analysed half grey.
  const { data, info } = await sharp(input, { limitInputPixels: limits.maxPixels, failOn: 'warning' })
    .rotate()
    .resize({ width: limits.maxSide, height: limits.maxSide, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((e: unknown) => {
      throw unreadable(e);
    });
  // EXIF rotation by 90° swaps the sides; the decoded aspect ratio tells which way the original stood.
  const swapped =
    Math.abs(info.width / info.height - declared.height / declared.width) <
    Math.abs(info.width / info.height - declared.width / declared.height);
  const width = swapped ? declared.height : declared.width;
  const height = swapped ? declared.width : declared.height;
  assertThat(info.channels === 3, 'image.unreadable', `unexpected channel count ${info.channels}`);
  return {
    format,
    width,
    height,
    scale: info.width / width,
    raster: {
      width: info.width,
      height: info.height,
      channels: 3,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    },
  };
}

async function headerFromLibvips(input: Buffer): Promise<{ width: number; height: number }> {
  const meta = await sharp(input, { limitInputPixels: false })
    .metadata()
    .catch((e: unknown) => {
      throw unreadable(e);
    });
  assertThat(meta.width && meta.height, 'image.unreadable', 'the image header has no dimensions');
  return { width: meta.width, height: meta.height };
}

function assertWithinPixels(width: number, height: number, limits: IntakeLimits): void {
  assertThat(width * height <= limits.maxPixels, 'image.too_large', `the image exceeds ${limits.maxPixels} pixels`, {
    width,
    height,
    maxPixels: limits.maxPixels,
  });
}

/** The decoder's message names libvips internals: it goes to the log as the cause, not to the caller. */
function unreadable(e: unknown): AppError {
  return new AppError('image.unreadable', 'the image could not be decoded', undefined, { cause: e });
}
