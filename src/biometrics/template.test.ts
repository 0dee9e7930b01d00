import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { similarity } from './template.js';

const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

describe('template similarity', () => {
  it('is the cosine of two unit vectors', () => {
    expect(similarity({ modelPack: 'm@1', vector: unit(1, 0) }, { modelPack: 'm@1', vector: unit(1, 1) })).toBeCloseTo(
      Math.SQRT1_2,
      6,
    );
    expect(similarity({ modelPack: 'm@1', vector: unit(1, 0) }, { modelPack: 'm@1', vector: unit(-1, 0) })).toBeCloseTo(
      -1,
      6,
    );
  });

  it('refuses to compare templates of different model packs', () => {
    const e = (() => {
      try {
        similarity({ modelPack: 'a@1', vector: unit(1, 0) }, { modelPack: 'b@1', vector: unit(1, 0) });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('template.model_mismatch');
    expect((e as AppError).status).toBe(409);
  });
});
