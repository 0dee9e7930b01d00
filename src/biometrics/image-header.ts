import type { ImageFormat } from './image-intake.js';

/**
 * Image dimensions read from the container header alone, so that a decompression bomb is refused from its
 * first bytes, before any decoder sees it. Pure; returns `undefined` when the header is not where the format
 * puts it (the decoder then reports the file as unreadable).
 */
export function headerDimensions(
  bytes: Uint8Array,
  format: ImageFormat,
): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fits = (offset: number, length: number) => offset + length <= bytes.length;
  switch (format) {
    case 'png':
      // Signature (8), IHDR length (4) and type (4), then width and height as big-endian uint32.
      return fits(16, 8) ? { width: view.getUint32(16), height: view.getUint32(20) } : undefined;
    case 'jpeg':
      return jpegDimensions(view);
    case 'webp':
      return webpDimensions(view, bytes);
  }
}

function jpegDimensions(view: DataView): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 9 <= view.byteLength) {
    if (view.getUint8(at) !== 0xff) return undefined;
    const marker = view.getUint8(at + 1);
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = view.getUint16(at + 2);
    // SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    at += 2 + length;
  }
  return undefined;
}

function webpDimensions(view: DataView, bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 30) return undefined;
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  const u24 = (o: number) => view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getUint8(o + 2) << 16);
  if (chunk === 'VP8X') return { width: 1 + u24(24), height: 1 + u24(27) };
  if (chunk === 'VP8 ') return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = view.getUint32(21, true);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }
  return undefined;
}
