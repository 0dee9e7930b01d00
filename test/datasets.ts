import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * Real faces for tests, read in place from ../shared/datasets (never copied into the repo). The folder can be
 * moved with OBLIK_DATASETS.
 */
export const DATASETS =
  process.env['OBLIK_DATASETS'] ?? fileURLToPath(new URL('../../shared/datasets', import.meta.url));

if (!existsSync(DATASETS)) {
  throw new Error(`test datasets not found at ${DATASETS}: set OBLIK_DATASETS to the shared/datasets folder`);
}

export const facePath = (...parts: string[]) => join(DATASETS, 'faces', ...parts);
export const spoofPath = (...parts: string[]) => join(DATASETS, 'spoof', ...parts);
export const readFace = (...parts: string[]) => readFile(facePath(...parts));
export const readSpoof = (...parts: string[]) => readFile(spoofPath(...parts));
