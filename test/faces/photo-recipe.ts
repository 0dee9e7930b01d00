import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/**
 * Face photos made from the sample images that ship inside the npm package @vladmandic/human (MIT; a
 * devDependency, so `npm ci` brings them): screenshots of its demos, which show real people's faces. A recipe
 * says which face to cut out and how to vary it (the probes a second camera would take: another crop or
 * distance, other light, a tilted head, the mirror image), then frames it in a blurred backdrop of itself, so
 * that the face has surroundings as a photo does (the liveness model looks at up to 2.7× the face box).
 * Rendering is deterministic (pinned sharp/libvips): the same recipe gives the same bytes.
 */
export type SampleImage = 'facematch' | 'facedetect' | 'faceid';

const FILES: Record<SampleImage, string> = {
  facematch: 'screenshot-facematch.jpg',
  facedetect: 'screenshot-facedetect.jpg',
  faceid: 'screenshot-faceid.jpg',
};

/** Where the sample images are: the installed package's assets folder (found from its entry point). */
export const SAMPLE_ASSETS = join(packageDir('@vladmandic/human'), 'assets');

function packageDir(name: string): string {
  // The package's exports hide package.json; walk up from its main file instead.
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  while (dir !== dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) {
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the installed package ${name} (run npm ci)`);
}

export const samplePath = (image: SampleImage) => join(SAMPLE_ASSETS, FILES[image]);

export interface PhotoRecipe {
  readonly image: SampleImage;
  /** The face's rectangle in the sample image: left, top, width, height. */
  readonly rect: readonly [number, number, number, number];
  /** How much to enlarge the cut-out (the samples' faces are 80–150 px). Default 2.2. */
  readonly zoom?: number;
  /** Keep only this central share of the cut-out (a closer framing), e.g. 0.88. */
  readonly tighter?: number;
  /** Multiply and offset the pixel values (`[1.25, -10]`: brighter, more contrast). */
  readonly light?: readonly [number, number];
  /** Tilt the head by this many degrees (clockwise). */
  readonly rotate?: number;
  /** The mirror image. */
  readonly flip?: boolean;
  /** The cut-out as it is in the sample (enlarged by `zoom`), with no backdrop: for screenshots as such. */
  readonly raw?: boolean;
}

/** Renders a recipe as an image file's bytes (PNG or JPEG). */
export async function renderPhoto(recipe: PhotoRecipe, format: 'png' | 'jpeg'): Promise<Buffer> {
  const [left, top, width, height] = recipe.rect;
  const tighter = recipe.tighter ?? 1;
  const dx = Math.round((width * (1 - tighter)) / 2);
  const dy = Math.round((height * (1 - tighter)) / 2);
  let face = sharp(samplePath(recipe.image)).extract({
    left: left + dx,
    top: top + dy,
    width: width - 2 * dx,
    height: height - 2 * dy,
  });
  if (recipe.flip) face = face.flop();
  const faceWidth = Math.round(width * (recipe.zoom ?? 2.2));
  let enlarged = sharp(await face.resize({ width: faceWidth, kernel: 'lanczos3' }).toBuffer());
  if (recipe.light) enlarged = enlarged.linear(recipe.light[0], recipe.light[1]);
  if (recipe.raw) return format === 'png' ? enlarged.png().toBuffer() : enlarged.jpeg({ quality: 90 }).toBuffer();
  let cut = await enlarged.png().toBuffer();
  if (recipe.rotate) {
    // Rotate on a backdrop of the face's own blur, so that no flat corners frame it like a print.
    const { width: w = 0, height: h = 0 } = await sharp(cut).metadata();
    const pad = Math.round(Math.max(w, h) * 0.3);
    const backdrop = await sharp(cut)
      .resize(w + 2 * pad, h + 2 * pad, { fit: 'fill' })
      .blur(12)
      .toBuffer();
    const padded = await sharp(backdrop)
      .composite([{ input: cut, left: pad, top: pad }])
      .png()
      .toBuffer();
    const turned = await sharp(padded).rotate(recipe.rotate, { background: '#808080' }).png().toBuffer();
    const t = await sharp(turned).metadata();
    cut = await sharp(turned)
      .extract({
        left: Math.round(((t.width ?? 0) - w) / 2),
        top: Math.round(((t.height ?? 0) - h) / 2),
        width: w,
        height: h,
      })
      .png()
      .toBuffer();
  }
  const { width: w = 0, height: h = 0 } = await sharp(cut).metadata();
  // Surroundings of 0.6× the cut-out's size on every side: enough context for the liveness model.
  const margin = Math.round(Math.max(w, h) * 0.6);
  const backdrop = await sharp(cut)
    .resize(w + 2 * margin, h + 2 * margin, { fit: 'fill' })
    .blur(22)
    .toBuffer();
  // Flattened to RGB, as a camera's photo is.
  const framed = sharp(
    await sharp(backdrop)
      .composite([{ input: cut, left: margin, top: margin }])
      .toBuffer(),
  ).removeAlpha();
  return format === 'png' ? framed.png({ compressionLevel: 9 }).toBuffer() : framed.jpeg({ quality: 90 }).toBuffer();
}
