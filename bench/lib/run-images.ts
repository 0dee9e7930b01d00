import { readFile } from 'node:fs/promises';
import { SingleBar, Presets } from 'cli-progress';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { AnalysedFace, StageTimings } from '../../src/biometrics/pipeline.js';
import { AppError } from '../../src/errors/app-error.js';

export interface ImageOutcome {
  readonly path: string;
  readonly face?: AnalysedFace;
  readonly error?: string;
  readonly timings?: StageTimings;
}

/**
 * Captures the dominant face of every image through the engine's worker pool, keeping every worker busy,
 * with a progress bar on stderr. Quality and liveness are measured but not enforced, so that accuracy is
 * reported on every acquired face; refusals (no face, several faces, unreadable) are kept as error codes.
 */
export async function captureAll(engine: FaceEngine, paths: readonly string[]): Promise<Map<string, ImageOutcome>> {
  const bar = new SingleBar({ stream: process.stderr, etaBuffer: 200 }, Presets.shades_classic);
  bar.start(paths.length, 0);
  const out = new Map<string, ImageOutcome>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      try {
        const c = await engine.capture(await readFile(path), { enforceQuality: false, requireLiveness: false });
        out.set(path, { path, face: c.face, timings: c.analysis.timings });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        out.set(path, { path, error: e.code });
      }
      bar.increment();
    }
  };
  await Promise.all(Array.from({ length: engine.settings.threads * 2 }, worker));
  bar.stop();
  return out;
}
