import { AppError } from '../errors/app-error.js';

/** A biometric template: an L2-normalised vector and the model pack (`id@version`) that produced it. */
export interface Template {
  readonly modelPack: string;
  readonly vector: Float32Array;
}

/**
 * Cosine similarity of two templates. Templates from different model packs live in unrelated spaces, so
 * comparing them is refused rather than answered with a meaningless number.
 */
export function similarity(a: Template, b: Template): number {
  if (a.modelPack !== b.modelPack || a.vector.length !== b.vector.length) {
    throw new AppError('template.model_mismatch', 'templates come from different model packs', {
      left: a.modelPack,
      right: b.modelPack,
    });
  }
  return dot(a.vector, b.vector);
}

/** Dot product; for L2-normalised vectors, their cosine similarity. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
