import { performance } from 'node:perf_hooks';
import type { AppError } from '../errors/app-error.js';
import { detectFaces, type DetectorSettings } from './detector.js';
import { alignFace, embedFace } from './embedder.js';
import { byDominance, rivalFaces, type Box, type Detection } from './face-selection.js';
import { decodeImage, type ImageFormat, type IntakeLimits } from './image-intake.js';
import { fivePoints, locateLandmarks } from './landmarker.js';
import { scoreLiveness } from './liveness.js';
import { readVerifiedModel, type ModelPack } from './model-pack.js';
import { OnnxModel } from './onnx-model.js';
import {
  assessQuality,
  estimatePose,
  measureImage,
  type QualityAssessment,
  type QualityThresholds,
} from './quality.js';
import { toGrey, type Point } from './raster.js';

/** The face pipeline as one engine worker runs it: decode → detect → landmarks → align → embed, liveness, quality. */
export interface PipelineSettings {
  readonly intake: IntakeLimits;
  readonly detector: DetectorSettings;
  /** In `all` mode, at most this many faces are analysed (most dominant first). */
  readonly maxFaces: number;
  /** A second face at least this fraction of the dominant face's dominance makes the image a multi-face image. */
  readonly rivalDominanceRatio: number;
  readonly quality: QualityThresholds;
  /**
   * Runs every model with denormal floats flushed to zero (onnxruntime's `session.set_denormal_as_zero`). On
   * some CPUs denormals make the embedder several times slower; the templates do not change (README).
   */
  readonly denormalsAsZero: boolean;
}

export interface AnalysedFace {
  /** In pixels of the upright original image. */
  readonly box: Box;
  readonly detectionScore: number;
  /** Eye centres (subject's right, then left as seen in the image: left to right), nose tip, mouth corners. */
  readonly landmarks: Point[];
  readonly quality: QualityAssessment;
  /** Probability of a live face (not a print, screen or mask). */
  readonly liveness: number;
  /** The surroundings the liveness classifier saw, as a multiple of the face box (see `LivenessScore`). */
  readonly livenessContext: number;
  /** L2-normalised template. */
  readonly template: Float32Array;
}

export const STAGES = ['decode', 'detect', 'landmarks', 'align', 'embed', 'liveness', 'quality'] as const;
export type Stage = (typeof STAGES)[number];
/**
 * Milliseconds per stage for one image; `inference` is the part of detect, landmarks, embed and liveness
 * spent inside the model runtime, so `total − inference` is the pipeline's own overhead.
 */
export type StageTimings = Record<Stage | 'total' | 'inference', number>;

export interface ImageAnalysis {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  readonly modelPack: string;
  /** Faces found above the detection threshold, after overlap suppression. */
  readonly faceCount: number;
  /** Faces comparably large to the dominant one (0 for a clean single-face image). */
  readonly rivalCount: number;
  /** Analysed faces, most dominant first: only the dominant one in `single` mode. */
  readonly faces: AnalysedFace[];
  readonly timings: StageTimings;
}

export type AnalysisMode = 'single' | 'all';

export class FacePipeline {
  private constructor(
    private readonly pack: ModelPack,
    private readonly settings: PipelineSettings,
    private readonly models: Readonly<Record<'detector' | 'landmarks' | 'embedder' | 'liveness', OnnxModel>>,
  ) {}

  static async create(pack: ModelPack, settings: PipelineSettings): Promise<FacePipeline> {
    const [detector, landmarks, embedder, liveness] = await Promise.all(
      (['detector', 'landmarks', 'embedder', 'liveness'] as const).map((role) =>
        OnnxModel.load(readVerifiedModel(pack, role), { denormalsAsZero: settings.denormalsAsZero }),
      ),
    );
    return new FacePipeline(pack, settings, {
      detector: detector!,
      landmarks: landmarks!,
      embedder: embedder!,
      liveness: liveness!,
    });
  }

  async analyse(bytes: Uint8Array, mode: AnalysisMode): Promise<ImageAnalysis> {
    const t: StageTimings = {
      decode: 0,
      detect: 0,
      landmarks: 0,
      align: 0,
      embed: 0,
      liveness: 0,
      quality: 0,
      total: 0,
      inference: 0,
    };
    const inferenceBefore = this.inferenceMs();
    const start = performance.now();
    const timed = async <T>(stage: Stage, work: () => Promise<T> | T): Promise<T> => {
      const t0 = performance.now();
      try {
        return await work();
      } finally {
        t[stage] += performance.now() - t0;
      }
    };

    const decoded = await timed('decode', () => decodeImage(bytes, this.settings.intake));
    const image = decoded.raster;
    const detections = await timed('detect', () => detectFaces(this.models.detector, image, this.settings.detector));
    const ordered = byDominance(detections, image.width, image.height);
    const dominant = ordered[0];
    const rivals = dominant
      ? rivalFaces(dominant, ordered, this.settings.rivalDominanceRatio, image.width, image.height).length
      : 0;
    const chosen = mode === 'single' ? ordered.slice(0, 1) : ordered.slice(0, this.settings.maxFaces);

    const faces: AnalysedFace[] = [];
    for (const d of chosen) {
      faces.push(await this.analyseFace(image, d, decoded.scale, d === dominant ? rivals : 0, timed));
    }
    t.total = performance.now() - start;
    t.inference = this.inferenceMs() - inferenceBefore;
    return {
      format: decoded.format,
      width: decoded.width,
      height: decoded.height,
      modelPack: this.pack.tag,
      faceCount: detections.length,
      rivalCount: rivals,
      faces,
      timings: t,
    };
  }

  private async analyseFace(
    image: Parameters<typeof detectFaces>[1],
    d: Detection,
    scale: number,
    rivals: number,
    timed: <T>(stage: Stage, work: () => Promise<T> | T) => Promise<T>,
  ): Promise<AnalysedFace> {
    const points68 = await timed('landmarks', () => locateLandmarks(this.models.landmarks, image, d.box));
    const five = fivePoints(points68);
    const aligned = await timed('align', () => alignFace(image, five));
    const template = await timed('embed', () => embedFace(this.models.embedder, aligned));
    const liveness = await timed('liveness', () => scoreLiveness(this.models.liveness, image, d.box));
    const quality = await timed('quality', () => {
      const pose = estimatePose(points68);
      const [le, re] = five;
      const interEyePx = Math.hypot(re![0] - le![0], re![1] - le![1]) / scale;
      return assessQuality({ interEyePx, ...pose, ...measureImage(toGrey(aligned)) }, this.settings.quality, rivals);
    });
    const up = (v: number) => v / scale;
    return {
      box: { x1: up(d.box.x1), y1: up(d.box.y1), x2: up(d.box.x2), y2: up(d.box.y2) },
      detectionScore: d.score,
      landmarks: five.map(([x, y]) => [up(x), up(y)] as const),
      quality,
      liveness: liveness.score,
      livenessContext: liveness.context,
      template,
    };
  }

  private inferenceMs(): number {
    return Object.values(this.models).reduce((sum, m) => sum + m.inferenceMs, 0);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.models).map((m) => m.release()));
  }
}

/** Worker results cross a thread boundary, where class identity is lost; errors travel as plain data. */
export type WorkerResult =
  | { ok: true; analysis: ImageAnalysis }
  // `cause` crosses the thread boundary for the log only; it never joins the error's public body.
  | { ok: false; error: ReturnType<AppError['toJSON']>; cause?: string | undefined };
