import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { EngineSettings } from '../biometrics/face-engine.js';

/**
 * Configuration: parsed once from the environment with a schema, frozen, and passed to whatever needs it.
 * Nothing else in Oblik reads `process.env`. Every default is documented in README.md (Configuration), with
 * how it was calibrated.
 */
const DEFAULT_MODEL_PACK = fileURLToPath(new URL('../../models/faceplugin-fr512', import.meta.url));

const num = (def: number, min: number, max: number) => z.coerce.number().min(min).max(max).default(def);
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const envSchema = z.object({
  OBLIK_MODEL_PACK_DIR: z.string().min(1).default(DEFAULT_MODEL_PACK),
  OBLIK_ENGINE_THREADS: int(availableParallelism(), 1, 256),
  OBLIK_ENGINE_MAX_QUEUE: int(256, 1, 100_000),
  OBLIK_ENGINE_TASK_TIMEOUT_MS: int(30_000, 100, 600_000),
  OBLIK_MAX_IMAGE_BYTES: int(15 * 1024 * 1024, 1024, 200 * 1024 * 1024),
  OBLIK_MAX_IMAGE_PIXELS: int(40_000_000, 10_000, 500_000_000),
  OBLIK_WORKING_IMAGE_SIDE: int(1280, 160, 8192),
  OBLIK_DETECTION_THRESHOLD: num(0.65, 0.05, 0.99),
  OBLIK_DETECTION_NMS_IOU: num(0.3, 0.05, 0.95),
  OBLIK_MAX_FACES: int(20, 1, 200),
  OBLIK_RIVAL_FACE_DOMINANCE_RATIO: num(0.6, 0.05, 1),
  OBLIK_MATCH_THRESHOLD: num(0.42, -1, 1),
  OBLIK_LIVENESS_THRESHOLD: num(0.5, 0, 1),
  OBLIK_LIVENESS_MIN_CONTEXT: num(1.8, 1, 2.7),
  OBLIK_QUALITY_MIN_INTER_EYE_PX: num(24, 0, 10_000),
  OBLIK_QUALITY_MAX_YAW_DEG: num(45, 0, 90),
  OBLIK_QUALITY_MAX_PITCH_DEG: num(35, 0, 90),
  OBLIK_QUALITY_MIN_SHARPNESS: num(25, 0, 100_000),
  OBLIK_QUALITY_MIN_BRIGHTNESS: num(40, 0, 255),
  OBLIK_QUALITY_MAX_BRIGHTNESS: num(220, 0, 255),
  OBLIK_QUALITY_MAX_CLIPPED_FRACTION: num(0.25, 0, 1),
});

export interface Config {
  readonly engine: EngineSettings;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses and validates the environment; throws {@link ConfigError} naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.OBLIK_QUALITY_MIN_BRIGHTNESS >= e.OBLIK_QUALITY_MAX_BRIGHTNESS) {
    throw new ConfigError(
      'invalid configuration: OBLIK_QUALITY_MIN_BRIGHTNESS must be below OBLIK_QUALITY_MAX_BRIGHTNESS',
    );
  }
  return deepFreeze({
    engine: {
      modelPackDir: e.OBLIK_MODEL_PACK_DIR,
      threads: e.OBLIK_ENGINE_THREADS,
      maxQueue: e.OBLIK_ENGINE_MAX_QUEUE,
      taskTimeoutMs: e.OBLIK_ENGINE_TASK_TIMEOUT_MS,
      intake: {
        maxBytes: e.OBLIK_MAX_IMAGE_BYTES,
        maxPixels: e.OBLIK_MAX_IMAGE_PIXELS,
        maxSide: e.OBLIK_WORKING_IMAGE_SIDE,
      },
      detector: { scoreThreshold: e.OBLIK_DETECTION_THRESHOLD, nmsIou: e.OBLIK_DETECTION_NMS_IOU },
      maxFaces: e.OBLIK_MAX_FACES,
      rivalDominanceRatio: e.OBLIK_RIVAL_FACE_DOMINANCE_RATIO,
      matchThreshold: e.OBLIK_MATCH_THRESHOLD,
      livenessThreshold: e.OBLIK_LIVENESS_THRESHOLD,
      minLivenessContext: e.OBLIK_LIVENESS_MIN_CONTEXT,
      quality: {
        minInterEyePx: e.OBLIK_QUALITY_MIN_INTER_EYE_PX,
        maxYawDeg: e.OBLIK_QUALITY_MAX_YAW_DEG,
        maxPitchDeg: e.OBLIK_QUALITY_MAX_PITCH_DEG,
        minSharpness: e.OBLIK_QUALITY_MIN_SHARPNESS,
        minBrightness: e.OBLIK_QUALITY_MIN_BRIGHTNESS,
        maxBrightness: e.OBLIK_QUALITY_MAX_BRIGHTNESS,
        maxClippedFraction: e.OBLIK_QUALITY_MAX_CLIPPED_FRACTION,
      },
    },
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
