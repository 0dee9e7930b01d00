import type { Box } from './face-selection.js';
import type { OnnxModel } from './onnx-model.js';
import { cropResize, toGrey, toPlanarTensor, type Point, type Raster } from './raster.js';

/**
 * The 68-point landmark network (iBUG layout): the face box resized to 64×64 grey, v / 256; it returns the
 * points as fractions of the box.
 */
const SIZE = 64;

export async function locateLandmarks(model: OnnxModel, image: Raster, box: Box): Promise<Point[]> {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  const crop = toGrey(cropResize(image, { x: box.x1, y: box.y1, w, h }, SIZE, SIZE));
  const out = await model.run(toPlanarTensor(crop, 0, 256), [1, 1, SIZE, SIZE]);
  const xy = Object.values(out)[0]!;
  const points: Point[] = [];
  for (let i = 0; i < 68; i++) points.push([box.x1 + xy[2 * i]! * w, box.y1 + xy[2 * i + 1]! * h]);
  return points;
}

/** The five alignment points: eye centres (mean of the lids), nose tip, mouth corners (outer and inner lip). */
export function fivePoints(p: readonly Point[]): Point[] {
  const mean = (...idx: number[]): Point => [
    idx.reduce((s, i) => s + p[i]![0], 0) / idx.length,
    idx.reduce((s, i) => s + p[i]![1], 0) / idx.length,
  ];
  return [mean(37, 38, 40, 41), mean(43, 44, 46, 47), mean(30), mean(48, 60), mean(54, 64)];
}
