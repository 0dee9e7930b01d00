import { describe, expect, it } from 'vitest';
import { ARCFACE_112, estimateSimilarity } from './alignment.js';
import {
  applyAffine,
  cropResize,
  invertAffine,
  resizeToTensor,
  toPlanarTensor,
  warpAffine,
  type Affine,
  type Raster,
} from './raster.js';

describe('estimateSimilarity', () => {
  it('recovers a known rotation, scale and translation exactly', () => {
    const angle = 0.3,
      scale = 1.7;
    const truth: Affine = [
      scale * Math.cos(angle),
      -scale * Math.sin(angle),
      12,
      scale * Math.sin(angle),
      scale * Math.cos(angle),
      -5,
    ];
    const from = ARCFACE_112;
    const to = from.map((p) => applyAffine(truth, p));
    const m = estimateSimilarity(from, to);
    m.forEach((v, i) => expect(v).toBeCloseTo(truth[i]!, 9));
  });

  it('maps the reference points onto themselves with the identity', () => {
    const m = estimateSimilarity(ARCFACE_112, ARCFACE_112);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 9));
  });

  it('refuses degenerate input', () => {
    expect(() =>
      estimateSimilarity(
        [
          [1, 1],
          [1, 1],
        ],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    ).toThrow(RangeError);
    expect(() => estimateSimilarity([[1, 1]], [[0, 0]])).toThrow(RangeError);
  });
});

describe('warpAffine', () => {
  const gradient: Raster = {
    width: 8,
    height: 8,
    channels: 1,
    data: Uint8Array.from({ length: 64 }, (_, i) => (i % 8) * 30),
  };

  it('is the identity under the identity transform', () => {
    expect(warpAffine(gradient, [1, 0, 0, 0, 1, 0], 8, 8).data).toEqual(gradient.data);
  });

  it('translates by whole pixels and reads outside pixels as black', () => {
    const out = warpAffine(gradient, [1, 0, 2, 0, 1, 0], 8, 8);
    expect(Array.from(out.data.subarray(0, 8))).toEqual([0, 0, 0, 30, 60, 90, 120, 150]);
  });

  it('averages when shrinking strongly instead of aliasing', () => {
    const stripes: Raster = {
      width: 16,
      height: 16,
      channels: 1,
      data: Uint8Array.from({ length: 256 }, (_, i) => (i % 2) * 200),
    };
    const out = cropResize(stripes, { x: 0, y: 0, w: 16, h: 16 }, 4, 4);
    for (const v of out.data.subarray(4, 8)) expect(Math.abs(v - 100)).toBeLessThanOrEqual(15);
  });

  it('inverts transforms', () => {
    const m: Affine = [2, 1, 3, -1, 1, 4];
    const p = applyAffine(invertAffine(m), applyAffine(m, [5, 7]));
    expect(p[0]).toBeCloseTo(5, 9);
    expect(p[1]).toBeCloseTo(7, 9);
  });

  it('resizes a whole image into a tensor, replicating edges instead of fading them to black', () => {
    const rgb: Raster = {
      width: 5,
      height: 4,
      channels: 3,
      data: Uint8Array.from({ length: 60 }, (_, i) => (i * 13) % 256),
    };
    const same = resizeToTensor(rgb, 5, 4, { mean: 0, std: 1, bgr: false });
    expect(Array.from(same)).toEqual(Array.from(toPlanarTensor(rgb, 0, 1)));
    const flat: Raster = { width: 3, height: 3, channels: 3, data: new Uint8Array(27).fill(200) };
    const up = resizeToTensor(flat, 8, 6, { mean: 127, std: 128, bgr: true });
    for (const v of up) expect(v).toBeCloseTo(73 / 128, 6);
  });
});
