import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * A model pack: the four networks of the pipeline (detector, landmarks, embedder, liveness) with their
 * pinned sha256 digests and the preprocessing each expects. An operator can point Oblik at another pack by
 * configuration; every template records the pack's `id@version`, so templates of different packs are never
 * compared.
 */
const modelFile = z.object({ file: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

const manifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  version: z.string().min(1),
  description: z.string().optional(),
  files: z.object({ detector: modelFile, landmarks: modelFile, embedder: modelFile, liveness: modelFile }),
  embeddingDim: z.number().int().positive(),
  calibration: z
    .object({
      description: z.string().optional(),
      dataset: z.string(),
      falseMatchRate: z.array(z.tuple([z.number().min(-1).max(1), z.number().positive().max(1)])).min(2),
    })
    .optional(),
});

/**
 * How often two different people score at or above a threshold, as measured for this pack: the basis for
 * raising 1:N thresholds with the size of the gallery (see src/matcher/gallery-threshold.ts).
 */
export interface Calibration {
  readonly dataset: string;
  /** `[threshold, false match rate per comparison]`, thresholds ascending, rates descending. */
  readonly falseMatchRate: readonly (readonly [number, number])[];
}

export type ModelRole = 'detector' | 'landmarks' | 'embedder' | 'liveness';

export interface ModelPack {
  readonly id: string;
  readonly version: string;
  /** `id@version`: what a template records as the model that made it. */
  readonly tag: string;
  readonly dir: string;
  readonly embeddingDim: number;
  readonly files: Readonly<Record<ModelRole, { readonly path: string; readonly sha256: string }>>;
  readonly calibration?: Calibration;
}

export class ModelIntegrityError extends Error {
  override name = 'ModelIntegrityError';
}

/** Reads and validates the manifest of the pack in `dir`. Does not read the model files. */
export function readModelPack(dir: string): ModelPack {
  const abs = resolve(dir);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(abs, 'manifest.json'), 'utf8'));
  } catch (e) {
    throw new ModelIntegrityError(`model pack at ${abs}: cannot read manifest.json (${(e as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new ModelIntegrityError(`model pack at ${abs}: invalid manifest: ${parsed.error.message}`);
  const m = parsed.data;
  const file = (role: ModelRole) => ({ path: join(abs, m.files[role].file), sha256: m.files[role].sha256 });
  return {
    id: m.id,
    version: m.version,
    tag: `${m.id}@${m.version}`,
    dir: abs,
    embeddingDim: m.embeddingDim,
    ...(m.calibration
      ? {
          calibration: {
            dataset: m.calibration.dataset,
            falseMatchRate: [...m.calibration.falseMatchRate].sort((a, b) => a[0] - b[0]),
          },
        }
      : {}),
    files: {
      detector: file('detector'),
      landmarks: file('landmarks'),
      embedder: file('embedder'),
      liveness: file('liveness'),
    },
  };
}

/**
 * Reads one model's bytes and checks them against the pinned digest. The checked bytes are the ones handed
 * to the runtime, so a file swapped after the check cannot be loaded.
 */
export function readVerifiedModel(pack: ModelPack, role: ModelRole): Uint8Array {
  const { path, sha256 } = pack.files[role];
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new ModelIntegrityError(`${pack.tag}: ${role} model missing at ${path} (run \`npm run models\`)`);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== sha256) {
    throw new ModelIntegrityError(`${pack.tag}: ${role} model at ${path} has sha256 ${digest}, expected ${sha256}`);
  }
  return bytes;
}
