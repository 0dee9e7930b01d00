import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { renderPhoto } from './faces/photo-recipe.js';
import { materialiseSmallSet, SCREEN_REPLAY } from './faces/small-set.js';

/**
 * Real faces for tests.
 *
 * - `faces/small` (the test people every suite enrols and probes) is the bundled set of test/faces/small-set.ts:
 *   photos from the sample images inside the npm package @vladmandic/human, so a fresh clone runs every
 *   engine and registry suite on real faces with nothing beside it.
 * - Everything else (`faces/lfw-dev`, the spoof set, the real `faces/small`) is read in place from
 *   ../shared/datasets (never copied into the repo; moved with OBLIK_DATASETS). The wider suites that need
 *   it run when it is there (`DATASETS_AVAILABLE`) and say so when they skip; under CI=true its absence fails.
 */
export const DATASETS =
  process.env['OBLIK_DATASETS'] ?? fileURLToPath(new URL('../../shared/datasets', import.meta.url));

export const DATASETS_AVAILABLE = existsSync(DATASETS);

if (!DATASETS_AVAILABLE) {
  if (process.env['CI'] === 'true') {
    throw new Error(`test datasets not found at ${DATASETS}, and CI=true requires the suites that use them`);
  }
  console.warn(
    `\n*** test datasets not found at ${DATASETS}: the wider suites (lfw-dev, spoof samples) are SKIPPED; ` +
      'the bundled faces run everything else (set OBLIK_DATASETS to run them all) ***\n',
  );
}

const SMALL_SET = await materialiseSmallSet();

/** A path in the datasets folder (for the wider suites, which run only when `DATASETS_AVAILABLE`). */
export function datasetPath(...parts: string[]): string {
  if (!DATASETS_AVAILABLE) {
    throw new Error(`${join(...parts)} needs the test datasets (${DATASETS}); guard the suite with DATASETS_AVAILABLE`);
  }
  return join(DATASETS, ...parts);
}

/** `facePath('small', 'amy', 'amy1.png')`: a bundled test person's photo; any other set: the datasets'. */
export const facePath = (...parts: string[]) =>
  parts[0] === 'small' ? join(SMALL_SET, ...parts.slice(1)) : datasetPath('faces', ...parts);
export const spoofPath = (...parts: string[]) => datasetPath('spoof', ...parts);
export const readFace = (...parts: string[]) => readFile(facePath(...parts));
export const readSpoof = (...parts: string[]) => readFile(spoofPath(...parts));

/** A face shown on a screen (a presentation attack), from the bundled samples: liveness refuses it. */
export const readScreenReplay = () => renderPhoto(SCREEN_REPLAY, 'jpeg');
