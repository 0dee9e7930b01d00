/**
 * Raster images as the pipeline passes them around: interleaved 8-bit pixels, row-major, no padding.
 * Pure data and pure functions; no I/O.
 */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

export type Point = readonly [number, number];

/** A 2x3 affine matrix [a, b, c, d, e, f] mapping (x, y) to (a·x + b·y + c, d·x + e·y + f). */
export type Affine = readonly [number, number, number, number, number, number];

export function invertAffine([a, b, c, d, e, f]: Affine): Affine {
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new RangeError('affine transform is not invertible');
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

export function applyAffine([a, b, c, d, e, f]: Affine, [x, y]: Point): Point {
  return [a * x + b * y + c, d * x + e * y + f];
}

/**
 * Resamples `src` into a `width`×`height` raster through `forward` (source → destination coordinates),
 * bilinear, with pixels outside the source read as black. When the transform shrinks the image by more than 2×,
 * each output pixel averages a grid of bilinear samples so that large faces do not alias.
 */
export function warpAffine(src: Raster, forward: Affine, width: number, height: number): Raster {
  const inv = invertAffine(forward);
  const { channels } = src;
  const out = new Uint8Array(width * height * channels);
  const shrink = Math.max(Math.hypot(inv[0], inv[3]), Math.hypot(inv[1], inv[4]));
  // Samples about one source pixel apart when shrinking (bilinear already covers up to 2×).
  const taps = shrink <= 2 ? 1 : Math.min(6, Math.ceil(shrink));
  if (taps === 1 && channels === 3) {
    warpBilinearRgb(src, inv, width, height, out);
    return { width, height, channels, data: out };
  }
  const acc = new Float64Array(channels);
  const norm = 1 / (taps * taps);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      acc.fill(0);
      for (let sy = 0; sy < taps; sy++) {
        const oy = y + (sy + 0.5) / taps - 0.5;
        for (let sx = 0; sx < taps; sx++) {
          const ox = x + (sx + 0.5) / taps - 0.5;
          sampleBilinear(src, inv[0] * ox + inv[1] * oy + inv[2], inv[3] * ox + inv[4] * oy + inv[5], acc);
        }
      }
      const o = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = acc[c]! * norm + 0.5;
    }
  }
  return { width, height, channels, data: out };
}

/** The hot path of {@link warpAffine}: one bilinear tap per pixel, three channels, interior pixels inlined. */
function warpBilinearRgb(src: Raster, inv: Affine, width: number, height: number, out: Uint8Array): void {
  const { width: sw, height: sh, data } = src;
  const edge = new Float64Array(3);
  const stride = sw * 3;
  let o = 0;
  for (let y = 0; y < height; y++) {
    let fxSrc = inv[1] * y + inv[2];
    let fySrc = inv[4] * y + inv[5];
    for (let x = 0; x < width; x++, o += 3, fxSrc += inv[0], fySrc += inv[3]) {
      const x0 = Math.floor(fxSrc);
      const y0 = Math.floor(fySrc);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= sw || y0 + 1 >= sh) {
        edge.fill(0);
        sampleBilinear(src, fxSrc, fySrc, edge);
        out[o] = edge[0]! + 0.5;
        out[o + 1] = edge[1]! + 0.5;
        out[o + 2] = edge[2]! + 0.5;
        continue;
      }
      const fx = fxSrc - x0;
      const fy = fySrc - y0;
      const i = y0 * stride + x0 * 3;
      const j = i + stride;
      for (let c = 0; c < 3; c++) {
        const top = data[i + c]! + fx * (data[i + 3 + c]! - data[i + c]!);
        const bottom = data[j + c]! + fx * (data[j + 3 + c]! - data[j + c]!);
        out[o + c] = top + fy * (bottom - top) + 0.5;
      }
    }
  }
}

function sampleBilinear(src: Raster, x: number, y: number, acc: Float64Array): void {
  const { width, height, channels, data } = src;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
    // Interior fast path: all four neighbours exist.
    const i00 = (y0 * width + x0) * channels;
    const i10 = i00 + channels;
    const i01 = i00 + width * channels;
    const i11 = i01 + channels;
    const w00 = (1 - fx) * (1 - fy),
      w10 = fx * (1 - fy),
      w01 = (1 - fx) * fy,
      w11 = fx * fy;
    for (let c = 0; c < channels; c++) {
      acc[c]! += w00 * data[i00 + c]! + w10 * data[i10 + c]! + w01 * data[i01 + c]! + w11 * data[i11 + c]!;
    }
    return;
  }
  for (let dy = 0; dy <= 1; dy++) {
    const yy = y0 + dy;
    if (yy < 0 || yy >= height) continue;
    const wy = dy === 0 ? 1 - fy : fy;
    for (let dx = 0; dx <= 1; dx++) {
      const xx = x0 + dx;
      if (xx < 0 || xx >= width) continue;
      const w = wy * (dx === 0 ? 1 - fx : fx);
      const i = (yy * width + xx) * channels;
      for (let c = 0; c < channels; c++) acc[c]! += w * data[i + c]!;
    }
  }
}

/**
 * Crops the axis-aligned box (x, y, w, h; edges in pixel units) and scales it to `width`×`height`, with pixel
 * centres aligned as OpenCV's `resize` aligns them.
 */
export function cropResize(
  src: Raster,
  box: { x: number; y: number; w: number; h: number },
  width: number,
  height: number,
): Raster {
  return warpAffine(src, cropAffine(box, width, height), width, height);
}

function cropAffine(box: { x: number; y: number; w: number; h: number }, width: number, height: number): Affine {
  const sx = width / box.w;
  const sy = height / box.h;
  return [sx, 0, sx * (0.5 - box.x) - 0.5, 0, sy, sy * (0.5 - box.y) - 0.5];
}

/** How a resampled image is packed for a network: (v − mean) / std, planar, optionally BGR. */
export interface TensorLayout {
  readonly mean: number;
  readonly std: number;
  readonly bgr: boolean;
}

/**
 * The whole three-channel image scaled to `width`×`height` (at most 2× reduction) and packed as a planar float
 * tensor, bilinear with edge pixels replicated as OpenCV's `resize` does. Axis-aligned and separable, with
 * the source columns and weights computed once per column: the detector's input, on every image.
 */
export function resizeToTensor(src: Raster, width: number, height: number, layout: TensorLayout): Float32Array {
  const { width: sw, height: sh, data } = src;
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / width - 0.5));
    const x0 = Math.floor(fx);
    x0s[x] = x0 * 3;
    x1s[x] = Math.min(sw - 1, x0 + 1) * 3;
    fxs[x] = fx - x0;
  }
  const plane = width * height;
  const out = new Float32Array(plane * 3);
  const k = 1 / layout.std;
  const mean = layout.mean;
  const [p0, p1, p2] = layout.bgr ? [2 * plane, plane, 0] : [0, plane, 2 * plane];
  for (let y = 0, p = 0; y < height; y++) {
    const fy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / height - 0.5));
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const r0 = y0 * sw * 3;
    const r1 = Math.min(sh - 1, y0 + 1) * sw * 3;
    for (let x = 0; x < width; x++, p++) {
      const a = r0 + x0s[x]!,
        b = r0 + x1s[x]!,
        c = r1 + x0s[x]!,
        d = r1 + x1s[x]!;
      const wx = fxs[x]!;
      // Unrolled over the three channels; `(v + 0.5) | 0` rounds the non-negative value to 8 bits first.
      let top = data[a]! + wx * (data[b]! - data[a]!);
      let bottom = data[c]! + wx * (data[d]! - data[c]!);
      out[p0 + p] = (((top + wy * (bottom - top) + 0.5) | 0) - mean) * k;
      top = data[a + 1]! + wx * (data[b + 1]! - data[a + 1]!);
      bottom = data[c + 1]! + wx * (data[d + 1]! - data[c + 1]!);
      out[p1 + p] = (((top + wy * (bottom - top) + 0.5) | 0) - mean) * k;
      top = data[a + 2]! + wx * (data[b + 2]! - data[a + 2]!);
      bottom = data[c + 2]! + wx * (data[d + 2]! - data[c + 2]!);
      out[p2 + p] = (((top + wy * (bottom - top) + 0.5) | 0) - mean) * k;
    }
  }
  return out;
}

/** ITU-R BT.601 luma, as OpenCV's BGR2GRAY computes it. */
export function toGrey(src: Raster): Raster {
  if (src.channels === 1) return src;
  const n = src.width * src.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = i * 3;
    out[i] = Math.round(0.299 * src.data[j]! + 0.587 * src.data[j + 1]! + 0.114 * src.data[j + 2]!);
  }
  return { width: src.width, height: src.height, channels: 1, data: out };
}

/**
 * Packs an interleaved raster into a planar (NCHW) float tensor: value = (v − mean) / std, optionally
 * swapping RGB to BGR.
 */
export function toPlanarTensor(src: Raster, mean: number, std: number, bgr = false): Float32Array {
  const { width, height, channels, data } = src;
  const plane = width * height;
  const out = new Float32Array(plane * channels);
  const k = 1 / std;
  for (let c = 0; c < channels; c++) {
    const from = bgr ? channels - 1 - c : c;
    const base = c * plane;
    for (let i = 0, j = from; i < plane; i++, j += channels) out[base + i] = (data[j]! - mean) * k;
  }
  return out;
}
