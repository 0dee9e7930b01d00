import type { Box } from './face-selection.js';
import type { OnnxModel } from './onnx-model.js';
import { cropResize, toPlanarTensor, type Raster } from './raster.js';

/**
 * The presentation-attack classifier (MiniFASNet family): the face box enlarged 2.7× around its centre
 * (less if the image is too small, and shifted to stay inside it), 128×128, raw 0–255, planar; a 3-way softmax.
 */
const SIZE = 128;
const CONTEXT = 2.7;
// Class 0 is the live face; 1 and 2 are the attack classes (checked on the silentface real, poster and replay
// samples, where BGR input separates them far better than RGB).
const LIVE_CLASS = 0;

export interface LivenessScore {
  /** The probability that the face is a live person rather than a print, a screen or a mask. */
  readonly score: number;
  /**
   * How much surroundings the classifier saw, as a multiple of the face box (2.7 at most). The model judges
   * the edges of a print or screen around the face; with little context (a tight face crop) its score means
   * little.
   */
  readonly context: number;
}

export async function scoreLiveness(model: OnnxModel, image: Raster, box: Box): Promise<LivenessScore> {
  const region = contextBox(image, box);
  // Raw 0–255 values in BGR order.
  const out = await model.run(toPlanarTensor(cropResize(image, region, SIZE, SIZE), 0, 1, true), [1, 3, SIZE, SIZE]);
  return { score: softmax(Object.values(out)[0]!)[LIVE_CLASS]!, context: region.w / (box.x2 - box.x1) };
}

function contextBox(image: Raster, box: Box): { x: number; y: number; w: number; h: number } {
  const bw = box.x2 - box.x1;
  const bh = box.y2 - box.y1;
  const scale = Math.min((image.height - 1) / bh, (image.width - 1) / bw, CONTEXT);
  const w = bw * scale;
  const h = bh * scale;
  const x = Math.min(Math.max(0, (box.x1 + box.x2) / 2 - w / 2), image.width - 1 - w);
  const y = Math.min(Math.max(0, (box.y1 + box.y2) / 2 - h / 2), image.height - 1 - h);
  return { x: Math.max(0, x), y: Math.max(0, y), w, h };
}

export function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
