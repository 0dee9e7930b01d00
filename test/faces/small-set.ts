import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { renderPhoto, type PhotoRecipe } from './photo-recipe.js';

/**
 * The test people: a bundled stand-in for the layout of `faces/small` (the same folder and file names, so
 * `readFace('small', 'amy', 'amy2.png')` reads a photo of the test person "amy"), with faces cut from the
 * sample images inside @vladmandic/human. Every suite gets them on a fresh clone, with no datasets beside it.
 *
 * Where the samples hold several real photos of one person (its face-match demo shows the same people in
 * different photos), a test person's photos are those real photos; otherwise the second and later photos
 * are probes derived from the first (another crop or distance, other light, a tilted head, the mirror image).
 * Derived probes are easy genuine pairs (0.95+): accuracy on hard pairs is measured on the datasets
 * (the wider suites), never here. test/faces/small-set.test.ts checks what the suites rely on: every photo
 * is a usable live face, each person's photos match, different people do not.
 *
 * The names are labels only (they are the small set's folder names, which the suites already use): the
 * person called "amy" here is a man from the samples.
 */

/** Top edge of each row of faces in the face-match screenshot (1920×954); faces are 106.4 px apart. */
const ROWS = [283, 395, 508, 620, 733, 845] as const;

/** A face of the face-match demo's grid, without its overlaid score (top) and age line (bottom). */
function grid(row: number, col: number): PhotoRecipe {
  return { image: 'facematch', rect: [Math.round(2 + col * 106.4) + 2, ROWS[row as 0] + 14, 102, 78] };
}

/** Probes a second capture could take of the same face. */
const PROBES = {
  closer: { tighter: 0.88, zoom: 2.5, light: [1.15, 5] },
  tilted: { rotate: 8, light: [0.85, 0] },
  mirrored: { flip: true },
  farther: { zoom: 1.7, light: [1.1, -8] },
  tiltedBack: { rotate: -7, tighter: 0.92 },
  mirroredLit: { flip: true, light: [0.9, 12] },
} as const satisfies Record<string, Partial<PhotoRecipe>>;

function probe(first: PhotoRecipe, how: keyof typeof PROBES): PhotoRecipe {
  const p: Partial<PhotoRecipe> = PROBES[how];
  return { ...first, ...p, zoom: (p.zoom ?? 2.2) * ((first.zoom ?? 2.2) / 2.2) };
}

/** A person's photos: the first (the enrolment photo), real other photos, then derived probes. */
function person(
  prefix: string,
  extension: 'png' | 'jpg',
  first: PhotoRecipe,
  others: readonly (PhotoRecipe | keyof typeof PROBES)[],
): Record<string, PhotoRecipe> {
  const photos = [first, ...others.map((o) => (typeof o === 'string' ? probe(first, o) : o))];
  return Object.fromEntries(photos.map((p, i) => [`${prefix}${i + 1}.${extension}`, p]));
}

/** Named files with given recipes (the deepface folders' file names are not numbered from 1). */
function files(names: readonly string[], first: PhotoRecipe, others: readonly (keyof typeof PROBES)[]) {
  return Object.fromEntries(names.map((n, i) => [n, i === 0 ? first : probe(first, others[i - 1]!)]));
}

export const SMALL_SET: Record<string, Record<string, PhotoRecipe>> = {
  // Eight real photos of one man.
  amy: person('amy', 'png', grid(0, 2), [
    grid(0, 0),
    grid(0, 1),
    grid(0, 4),
    grid(0, 5),
    grid(0, 7),
    grid(0, 10),
    grid(0, 3),
  ]),
  // Four real photos of one woman.
  bernadette: person('bernadette', 'png', grid(2, 1), [grid(4, 16), grid(4, 2), grid(5, 15), 'closer']),
  howard: person('howard', 'png', grid(5, 7), [grid(3, 2), grid(4, 4), 'closer', 'mirrored']),
  leonard: person('leonard', 'png', grid(1, 7), [grid(4, 5), 'closer', 'tilted', 'mirrored']),
  penny: person('penny', 'png', grid(1, 12), [grid(2, 14), 'tilted', 'mirrored', 'farther']),
  raj: person('raj', 'png', grid(4, 8), ['closer', 'tilted', 'mirrored', 'farther']),
  sheldon: person('sheldon', 'png', grid(3, 10), ['closer', 'tilted', 'mirrored', 'farther']),
  stuart: person('stuart', 'png', grid(4, 1), [grid(2, 17), 'closer', 'tilted', 'mirrored']),
  deepface0: files(['img20.jpg', 'img21.jpg'], grid(5, 6), ['tilted']),
  // Two real photos of one man.
  deepface1: { 'img16.jpg': grid(5, 9), 'img17.jpg': grid(4, 12) },
  deepface2: files(['img12.jpg', 'img3.jpg'], grid(2, 3), ['tilted']),
  deepface3: files(['img22.jpg', 'img23.jpg'], grid(3, 3), ['tilted']),
  deepface4: files(['img24.jpg', 'img25.jpg'], grid(3, 15), ['tilted']),
  deepface5: files(['img1.jpg', 'img2.jpg', 'img4.jpg', 'img6.jpg'], grid(5, 17), ['closer', 'tilted', 'mirrored']),
  deepface6: files(['img13.jpg', 'img14.jpg', 'img15.jpg'], grid(5, 5), ['closer', 'tilted']),
  deepface7: files(['img18.jpg', 'img19.jpg'], grid(4, 10), ['tilted']),
  deepface8: files(['img8.jpg', 'img9.jpg'], grid(1, 6), ['tilted']),
};

/**
 * A face shown on a screen: a crop of the face-detect demo's screenshot, the face with the page around it,
 * as a camera pointed at a monitor would see it. The liveness model scores it far below the threshold.
 */
export const SCREEN_REPLAY: PhotoRecipe = { image: 'facedetect', rect: [560, 280, 240, 280], zoom: 1.6, raw: true };

/**
 * Renders the set once into a cache folder keyed by the recipes and the renderer (so a changed recipe never
 * reads a stale file), and returns that folder: `<root>/<person>/<file>`. Safe when several test workers
 * render at once (each file is written to a temporary name and renamed).
 */
export async function materialiseSmallSet(): Promise<string> {
  const renderer = readFileSync(new URL('./photo-recipe.ts', import.meta.url));
  const key = createHash('sha256')
    .update(JSON.stringify(SMALL_SET))
    .update(renderer)
    .update(sharp.versions.vips)
    .digest('hex')
    .slice(0, 16);
  const root = join(tmpdir(), `oblik-test-faces-${key}`);
  for (const [who, photos] of Object.entries(SMALL_SET)) {
    mkdirSync(join(root, who), { recursive: true });
    for (const [file, recipe] of Object.entries(photos)) {
      const path = join(root, who, file);
      if (existsSync(path)) continue;
      const bytes = await renderPhoto(recipe, file.endsWith('.png') ? 'png' : 'jpeg');
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    }
  }
  return root;
}
