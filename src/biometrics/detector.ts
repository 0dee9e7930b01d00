import sharp from 'sharp';
import type { OnnxModel } from './onnx-model.js';
import { nonMaxSuppression, type Detection } from './face-selection.js';
import { resizeToTensor, toPlanarTensor, type Raster } from './raster.js';

/**
 * The RFB-320 face detector: the whole image squeezed to 320×240, BGR, (v − 127) / 128, planar. It emits
 * 4,420 priors with [background, face] scores and boxes already decoded to normalised corners.
 */
export const DETECTOR_INPUT = { width: 320, height: 240 } as const;

export interface DetectorSettings {
  readonly scoreThreshold: number;
  readonly nmsIou: number;
}

const LAYOUT = { mean: 127, std: 128, bgr: true } as const;

/**
 * The whole image at 320×240 as the detector's tensor. Mild rescaling is done in one pass here; a large photo
 * is reduced by libvips, whose filtered reduction is both faster and cleaner than supersampling in JavaScript.
 */
async function detectorInput(image: Raster): Promise<Float32Array> {
  const { width: W, height: H } = DETECTOR_INPUT;
  if (image.width <= 2 * W && image.height <= 2 * H) {
    return resizeToTensor(image, W, H, LAYOUT);
  }
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(W, H, { fit: 'fill' })
    .raw()
    .toBuffer();
  const small: Raster = {
    width: W,
    height: H,
    channels: image.channels,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
  return toPlanarTensor(small, LAYOUT.mean, LAYOUT.std, LAYOUT.bgr);
}

export async function detectFaces(model: OnnxModel, image: Raster, s: DetectorSettings): Promise<Detection[]> {
  const found = await detectOnce(model, image, s);
  if (found.length > 0) return found;
  // A tightly cropped face (an ID-photo crop, a kiosk's face crop) fills the frame, and the detector, trained
  // on faces with surroundings, misses it. Retry once with a neutral border around the image.
  const padX = Math.round(image.width * PAD);
  const padY = Math.round(image.height * PAD);
  const padded = await detectOnce(model, padWithGrey(image, padX, padY), s);
  return padded.map((d) => ({
    score: d.score,
    box: {
      x1: Math.max(0, d.box.x1 - padX),
      y1: Math.max(0, d.box.y1 - padY),
      x2: Math.min(image.width, d.box.x2 - padX),
      y2: Math.min(image.height, d.box.y2 - padY),
    },
  }));
}

const PAD = 0.3;

async function detectOnce(model: OnnxModel, image: Raster, s: DetectorSettings): Promise<Detection[]> {
  const { width: W, height: H } = DETECTOR_INPUT;
  const out = await model.run(await detectorInput(image), [1, 3, H, W]);
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

function padWithGrey(image: Raster, padX: number, padY: number): Raster {
  const width = image.width + 2 * padX;
  const height = image.height + 2 * padY;
  const c = image.channels;
  const data = new Uint8Array(width * height * c).fill(127);
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray(y * image.width * c, (y + 1) * image.width * c), ((y + padY) * width + padX) * c);
  }
  return { width, height, channels: image.channels, data };
}
