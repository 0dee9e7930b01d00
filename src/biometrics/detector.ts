import sharp from 'sharp';
import type { OnnxModel } from './onnx-model.js';
import { nonMaxSuppression, type Detection } from './face-selection.js';
import { cropResize, toPlanarTensor, type Raster } from './raster.js';

/**
 * The RFB-320 face detector: the whole image squeezed to 320×240, BGR, (v − 127) / 128, planar. It emits
 * 4,420 priors with [background, face] scores and boxes already decoded to normalised corners.
 */
export const DETECTOR_INPUT = { width: 320, height: 240 } as const;

export interface DetectorSettings {
  readonly scoreThreshold: number;
  readonly nmsIou: number;
}

/**
 * The whole image at 320×240. Mild rescaling is done in place; a large photo is reduced by libvips, whose
 * filtered reduction is both faster and cleaner than supersampling in JavaScript.
 */
async function detectorInput(image: Raster): Promise<Raster> {
  const { width: W, height: H } = DETECTOR_INPUT;
  if (image.width <= 2 * W && image.height <= 2 * H) {
    return cropResize(image, { x: 0, y: 0, w: image.width, h: image.height }, W, H);
  }
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(W, H, { fit: 'fill' })
    .raw()
    .toBuffer();
  return {
    width: W,
    height: H,
    channels: image.channels,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

export async function detectFaces(model: OnnxModel, image: Raster, s: DetectorSettings): Promise<Detection[]> {
  const { width: W, height: H } = DETECTOR_INPUT;
  const small = await detectorInput(image);
  const out = await model.run(toPlanarTensor(small, 127, 128, true), [1, 3, H, W]);
  const scores = out['scores']!;
  const boxes = out['boxes']!;
  const found: Detection[] = [];
  for (let i = 0; i < scores.length / 2; i++) {
    const score = scores[2 * i + 1]!;
    if (score < s.scoreThreshold) continue;
    const x1 = Math.max(0, boxes[4 * i]! * image.width);
    const y1 = Math.max(0, boxes[4 * i + 1]! * image.height);
    const x2 = Math.min(image.width, boxes[4 * i + 2]! * image.width);
    const y2 = Math.min(image.height, boxes[4 * i + 3]! * image.height);
    if (x2 - x1 >= 4 && y2 - y1 >= 4) found.push({ box: { x1, y1, x2, y2 }, score });
  }
  return nonMaxSuppression(found, s.nmsIou);
}
