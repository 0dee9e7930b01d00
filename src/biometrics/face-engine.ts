import { Piscina } from 'piscina';
import { AppError } from '../errors/app-error.js';
import { checkCapture, type CapturePolicy } from './capture-policy.js';
import type { WorkerInit, WorkerTask } from './engine-worker.js';
import { readModelPack, type ModelPack } from './model-pack.js';
import type { AnalysedFace, AnalysisMode, ImageAnalysis, PipelineSettings, WorkerResult } from './pipeline.js';
import { similarity, type Template } from './template.js';

/**
 * The face engine: image bytes in, analysed faces and templates out. Inference runs on a pool of worker
 * threads (one per configured thread, each running its networks single-threaded), so the event loop stays
 * free and throughput scales with cores.
 */
export interface EngineSettings extends PipelineSettings {
  readonly modelPackDir: string;
  readonly threads: number;
  /** Tasks waiting for a worker beyond this are refused with `engine.unavailable` (back-pressure). */
  readonly maxQueue: number;
  /** A task still running after this many milliseconds is abandoned and its worker replaced. */
  readonly taskTimeoutMs: number;
  /** Cosine similarity at or above which two templates are decided to be the same person. */
  readonly matchThreshold: number;
  readonly livenessThreshold: number;
  readonly minLivenessContext: number;
}

export interface Capture {
  readonly face: AnalysedFace;
  readonly template: Template;
  readonly analysis: ImageAnalysis;
}

export interface Comparison {
  readonly score: number;
  readonly threshold: number;
  readonly match: boolean;
}

export class FaceEngine {
  private inFlight = 0;

  private constructor(
    readonly modelPack: ModelPack,
    readonly settings: EngineSettings,
    private readonly pool: Piscina<WorkerTask, WorkerResult>,
  ) {}

  /** Starts the pool and waits until every worker has loaded and verified the model pack. */
  static async start(settings: EngineSettings): Promise<FaceEngine> {
    const modelPack = readModelPack(settings.modelPackDir);
    const workerData: WorkerInit = { modelPackDir: modelPack.dir, settings };
    const pool = new Piscina<WorkerTask, WorkerResult>({
      ...workerEntry(),
      workerData,
      minThreads: settings.threads,
      maxThreads: settings.threads,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    const engine = new FaceEngine(modelPack, settings, pool);
    try {
      // Workers load and verify the pack as they start; a first round of trivial tasks (an empty image, which
      // intake refuses) waits for that, so a broken or tampered pack fails here rather than on a request.
      await Promise.all(
        Array.from({ length: settings.threads }, () => pool.run({ image: new Uint8Array(0), mode: 'single' })),
      );
    } catch (e) {
      await pool.destroy();
      throw e;
    }
    return engine;
  }

  /**
   * Every face in the image (most dominant first, up to `maxFaces`), each fully analysed; with
   * `dominantOnly`, only the dominant face is analysed (the others are still counted), and no policy applies.
   */
  analyse(image: Uint8Array, options: { dominantOnly?: boolean } = {}): Promise<ImageAnalysis> {
    return this.run(image, options.dominantOnly ? 'single' : 'all');
  }

  /**
   * The one face of a single-face capture, checked against the capture policy: refused with `face.not_found`,
   * `face.multiple`, `face.low_quality` or `face.spoof_suspected`.
   */
  async capture(image: Uint8Array, policy: Partial<CapturePolicy> = {}): Promise<Capture> {
    const analysis = await this.run(image, 'single');
    const face = checkCapture(analysis, {
      enforceQuality: policy.enforceQuality ?? true,
      requireLiveness: policy.requireLiveness ?? true,
      livenessThreshold: policy.livenessThreshold ?? this.settings.livenessThreshold,
      minLivenessContext: policy.minLivenessContext ?? this.settings.minLivenessContext,
    });
    return { face, analysis, template: { modelPack: analysis.modelPack, vector: face.template } };
  }

  compare(a: Template, b: Template): Comparison {
    const score = similarity(a, b);
    return { score, threshold: this.settings.matchThreshold, match: score >= this.settings.matchThreshold };
  }

  /**
   * Lets running tasks finish, then stops the workers. Destroying a worker in the middle of an inference
   * aborts the whole process from inside the native runtime, so tasks are never cut short here.
   */
  async close(): Promise<void> {
    await this.pool.close();
  }

  private async run(image: Uint8Array, mode: AnalysisMode): Promise<ImageAnalysis> {
    // Back-pressure: beyond one task per worker plus `maxQueue` waiting, refuse at once (a retryable 503)
    // rather than let latency grow without bound.
    if (this.inFlight >= this.settings.threads + this.settings.maxQueue) {
      throw new AppError('engine.unavailable', 'the face engine is saturated; retry shortly', { reason: 'queue_full' });
    }
    this.inFlight++;
    let result: WorkerResult;
    try {
      result = await this.pool.run({ image, mode }, { signal: AbortSignal.timeout(this.settings.taskTimeoutMs) });
    } catch (e) {
      throw engineFailure(e);
    } finally {
      this.inFlight--;
    }
    if (!result.ok) {
      const { code, message, data } = result.error;
      throw new AppError(code, message, data, result.cause === undefined ? undefined : { cause: result.cause });
    }
    return result.analysis;
  }
}

function engineFailure(e: unknown): AppError {
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) {
    return new AppError('engine.unavailable', 'the face engine did not finish in time', { reason: 'timeout' });
  }
  return new AppError('engine.unavailable', 'the face engine failed', { reason: 'worker_error' }, { cause: e });
}

/**
 * The worker's module. Built code runs `engine-worker.js`; under tsx or vitest this module is TypeScript,
 * and the worker starts from a small module that loads the `.ts` source through tsx.
 */
function workerEntry(): { filename: string } {
  const self = new URL(import.meta.url);
  if (self.pathname.endsWith('.ts')) {
    return { filename: new URL('./engine-worker-dev.mjs', self).href };
  }
  return { filename: new URL('./engine-worker.js', self).href };
}
