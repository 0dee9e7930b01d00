import { readFile } from 'node:fs/promises';
import { SingleBar, Presets } from 'cli-progress';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { AnalysedFace, StageTimings } from '../../src/biometrics/pipeline.js';
import { AppError } from '../../src/errors/app-error.js';
import { checkCapture, type CapturePolicy } from '../../src/biometrics/capture-policy.js';

// Only the refusals that make an image unusable count; quality and liveness are reported, not enforced.
const REPORT_ONLY: CapturePolicy = {
  enforceQuality: false,
  requireLiveness: false,
  livenessThreshold: 0,
  minLivenessContext: 0,
};

export interface ImageOutcome {
  readonly path: string;
  /** The dominant face, if any was found, even when the capture policy refuses the image. */
  readonly face?: AnalysedFace;
  /** Why a single-face capture refuses the image (no face, several faces, unreadable), if it does. */
  readonly error?: string;
  readonly timings?: StageTimings;
}

/**
 * Analyses the dominant face of every image through the engine's worker pool, `inFlight` at a time (by
 * default enough to keep every worker busy),
 * with a progress bar on stderr. Quality and liveness are measured but not enforced, so that accuracy is
 * reported on every acquired face; what a single-face capture would refuse (no face, several faces,
 * unreadable) is kept as an error code.
 */
export async function captureAll(
  engine: FaceEngine,
  paths: readonly string[],
  inFlight = engine.settings.threads * 2,
): Promise<Map<string, ImageOutcome>> {
  const bar = new SingleBar({ stream: process.stderr, etaBuffer: 200 }, Presets.shades_classic);
  bar.start(paths.length, 0);
  const out = new Map<string, ImageOutcome>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      try {
        const analysis = await engine.analyse(await readFile(path), { dominantOnly: true });
        const face = analysis.faces[0];
        let error: string | undefined;
        try {
          checkCapture(analysis, REPORT_ONLY);
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          error = e.code;
        }
        out.set(path, { path, timings: analysis.timings, ...(face && { face }), ...(error && { error }) });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        out.set(path, { path, error: e.code });
      }
      bar.increment();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  bar.stop();
  return out;
}
