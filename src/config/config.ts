import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { EngineSettings } from '../biometrics/face-engine.js';
import type { OcrSettings } from '../documents/ocr-pool.js';
import type { EgovLoginSettings } from '../modules/citizen/egov-login.js';
import { DEFAULT_HNSW, type HnswSettings } from '../matcher/hnsw-index.js';
import { SEGMENT_ID } from '../modules/segments/segment-id.js';

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
  OBLIK_ENGINE_DENORMALS_AS_ZERO: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  OBLIK_INDEX: z.enum(['hnsw', 'exact']).default('hnsw'),
  OBLIK_INDEX_EXACT_BELOW: int(DEFAULT_HNSW.exactBelow, 0, 1_000_000_000),
  OBLIK_INDEX_CONNECTIVITY: int(DEFAULT_HNSW.connectivity, 4, 256),
  OBLIK_INDEX_EXPANSION_ADD: int(DEFAULT_HNSW.expansionAdd, 8, 4096),
  OBLIK_INDEX_EXPANSION_SEARCH: int(DEFAULT_HNSW.expansionSearch, 8, 4096),
  OBLIK_INDEX_CANDIDATES: int(DEFAULT_HNSW.candidates, 1, 4096),
  OBLIK_INDEX_QUANTIZATION: z.enum(['f32', 'f16', 'i8']).default(DEFAULT_HNSW.quantization),
  OBLIK_INDEX_BUILD_THREADS: int(availableParallelism(), 1, 256),
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
  PORT: int(8080, 0, 65_535),
  HOST: z.string().min(1).default('127.0.0.1'),
  OBLIK_DATA_DIR: z.string().min(1).default('.oblik'),
  OBLIK_LOG_WITNESS: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave unset for the embedded SQLite store)')
    .optional(),
  OBLIK_DATABASE_POOL_SIZE: int(10, 1, 500),
  OBLIK_DATABASE_CONNECT_TIMEOUT_MS: int(5_000, 100, 600_000),
  OBLIK_DATABASE_STATEMENT_TIMEOUT_MS: int(30_000, 100, 3_600_000),
  OBLIK_METRICS_PORT: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(65_535)])
    .default(9464)
    .describe('the Prometheus port; 0 picks a free one, off disables it'),
  OBLIK_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  OBLIK_RATE_LIMIT_MAX: int(300, 1, 1_000_000),
  OBLIK_RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 24 * 3600),
  OBLIK_TRUST_PROXY: z.string().optional(),
  OBLIK_MASTER_KEY: z.string().optional(),
  OBLIK_RETIRED_MASTER_KEYS: z.string().optional(),
  OBLIK_BOOTSTRAP_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  OBLIK_SEGMENTS: z.string().optional(),
  OBLIK_REQUIRE_LIVENESS: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  OBLIK_IDENTIFY_THRESHOLD: z.coerce.number().min(-1).max(1).optional(),
  OBLIK_DEDUP_THRESHOLD: z.coerce.number().min(-1).max(1).optional(),
  OBLIK_IDENTIFY_FALSE_CANDIDATES: num(0.05, 1e-6, 100),
  OBLIK_DEDUP_FALSE_CANDIDATES: num(0.05, 1e-6, 100),
  OBLIK_IDENTIFY_MAX_CANDIDATES: int(10, 1, 100),
  OBLIK_IDEMPOTENCY_TTL_HOURS: int(24, 1, 24 * 365),
  OBLIK_CITIZEN_SESSION_MINUTES: int(15, 1, 24 * 60),
  OBLIK_SIGN_IN_CODE_MINUTES: int(30, 1, 7 * 24 * 60),
  OBLIK_SIGN_IN_MAX_FAILURES: int(5, 1, 100),
  OBLIK_SIGN_IN_SOURCE_MAX: int(30, 1, 100_000),
  OBLIK_SIGN_IN_WINDOW_MINUTES: int(15, 1, 24 * 60),
  OBLIK_SECOND_FACTOR_MINUTES: int(10, 1, 60),
  OBLIK_NOTIFY_WEBHOOK_URL: z.url().optional(),
  OBLIK_MESSAGE_WEBHOOK_URL: z.url().optional(),
  OBLIK_EGOV_OIDC_ISSUER: z.url().optional(),
  OBLIK_EGOV_OIDC_CLIENT_ID: z.string().min(1).optional(),
  OBLIK_EGOV_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OBLIK_EGOV_OIDC_REDIRECT_URI: z.url().optional(),
  OBLIK_OCR_WORKERS: int(1, 1, 64),
  OBLIK_OCR_TIMEOUT_MS: int(15_000, 100, 600_000),
  OBLIK_OCR_MAX_QUEUE: int(64, 1, 100_000),
  OBLIK_ENROLMENT_MAX_ATTEMPTS: int(600, 1, 1_000_000),
  OBLIK_ENROLMENT_ALERT_ATTEMPTS: int(300, 1, 1_000_000),
  OBLIK_ENROLMENT_WINDOW_SECONDS: int(3600, 1, 7 * 24 * 3600),
  OBLIK_TELECOM_MAX_CONTRACTS: int(10, 1, 1000),
  OBLIK_PORTING_NOTICE_MINUTES: int(1440, 0, 60 * 24 * 60),
  OBLIK_TELECOM_SCHEDULER_SECONDS: int(5, 1, 3600),
  OBLIK_GATE_MARGIN: num(0.05, 0, 1),
  OBLIK_PAYMENT_TIMEOUT_MS: int(3000, 10, 120_000),
  OBLIK_PAYMENT_RETRY_SECONDS: int(30, 1, 86_400),
  OBLIK_PAYMENT_DEV_LEDGER: z.string().min(1).optional(),
  OBLIK_TRANSFER_MAX_BATCH_BYTES: int(8 * 1024 ** 3, 1024, 2 ** 50),
  OBLIK_TRANSFER_MAX_RECORD_BYTES: int(24 * 1024 * 1024, 1024, 512 * 1024 * 1024),
  OBLIK_TRANSFER_CONCURRENCY: int(0, 0, 1024),
  OBLIK_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  readonly engine: EngineSettings;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly logLevel: string;
    /** Where Prometheus scrapes `/metrics`; `undefined` when OBLIK_METRICS_PORT=off. */
    readonly metrics?: { readonly host: string; readonly port: number };
    /** Per-source request limits for routes that opt in (and every route reachable without a key). */
    readonly rateLimit: { readonly max: number; readonly windowMs: number };
    /**
     * Which proxies' `X-Forwarded-For` to believe for the client address (Fastify's `trustProxy`): `true`, a
     * hop count, or addresses/CIDRs. Unset, the socket's peer is the client.
     */
    readonly trustProxy?: boolean | number | string;
  };
  /** `sqlite` keeps one file under the data directory; `postgres` is the production store. */
  readonly database:
    | { readonly dialect: 'sqlite'; readonly file: string }
    | {
        readonly dialect: 'postgres';
        readonly url: string;
        readonly poolSize: number;
        /** How long to wait for a connection (new or from the pool) before answering `store.unavailable`. */
        readonly connectTimeoutMs: number;
        /** The longest one statement may run; the server cancels it after that (`store.unavailable`). */
        readonly statementTimeoutMs: number;
      };
  readonly keys: {
    /** Where the embedded default keeps its generated master key when none is configured. */
    readonly keyFile: string;
    /** Base64 of 32 bytes; when unset, the key file is used (and created on first run). */
    readonly masterKey?: string;
    /** Earlier master keys (base64, comma-separated), still able to unwrap data keys during a rotation. */
    readonly retiredMasterKeys: readonly string[];
  };
  readonly registry: {
    readonly dataDir: string;
    readonly bootstrapAdminKey?: string;
    /** Regional segments created at start: `id:Name,id:Name`. The `federal` segment always exists. */
    readonly segments: readonly { readonly id: string; readonly name: string }[];
    /**
     * A fixed 1:N threshold. Unset (the default), the threshold rises with the gallery so that a search expects
     * at most `identifyFalseCandidates` false candidates (src/matcher/gallery-threshold.ts; README).
     */
    readonly identifyThreshold?: number;
    readonly identifyFalseCandidates: number;
    /** A fixed duplicate threshold for enrolment; unset, it rises with the segment like the 1:N one. */
    readonly dedupThreshold?: number;
    readonly dedupFalseCandidates: number;
    readonly maxCandidates: number;
    readonly idempotencyTtlHours: number;
    /**
     * Refuse every capture whose liveness fails, for every relying party (each party can also require it for
     * itself). Off by default: see README (Liveness in the registry) for the measured reasons.
     */
    readonly requireLiveness: boolean;
    /** Enrolment attempts per relying party and window: the limit (429) and the operators' alert threshold. */
    readonly enrolmentAttempts: {
      readonly maxAttempts: number;
      readonly alertAttempts: number;
      readonly windowSeconds: number;
    };
    /**
     * The in-memory 1:N index: `exact` scans every template; `hnsw` (the default) scans below
     * `hnsw.exactBelow` templates and above it takes candidates from a usearch graph, re-scored exactly.
     */
    readonly index: { readonly kind: 'hnsw' | 'exact'; readonly hnsw: HnswSettings };
  };
  readonly citizen: {
    readonly sessionMinutes: number;
    readonly signInCodeMinutes: number;
    /**
     * Second-factor code attempts per person per window (only someone who showed the face reaches them, so
     * no one else can use this to lock a citizen out).
     */
    readonly maxFailedSignIns: number;
    /** Face sign-ins, and guesses of one-time codes, each per source address per window. */
    readonly maxSignInsPerSource: number;
    readonly throttleWindowMinutes: number;
    /** How long a face sign-in waits for its second factor, and a code sent for it stays valid. */
    readonly secondFactorMinutes: number;
  };
  /** The transparency log's witness: every signed head, appended outside the database (default <data dir>). */
  readonly transparency: { readonly witnessFile: string };
  /**
   * Where one-time codes go: a messaging gateway webhook (`{channel, to, text}`), or (unset) the development
   * outbox files under `<data dir>/outbox/` (see src/modules/notifications/message-delivery.ts).
   */
  readonly messages: { readonly webhookUrl?: string; readonly outboxDir: string };
  /** The national eGov login (OpenID Connect; src/modules/citizen/egov-login.ts): all four settings, or none. */
  readonly egovLogin?: EgovLoginSettings;
  /** Where citizen notices go: an email/SMS gateway webhook, or (unset) the log, for development. */
  readonly notify: { readonly webhookUrl?: string };
  /** Identity documents (src/documents/): the OCR pool that reads MRZs from images. */
  readonly documents: { readonly ocr: OcrSettings };
  /** Mobile operators (src/services/telecom/): the contract limit, the porting notice, the scheduler's period. */
  readonly telecom: {
    readonly maxContracts: number;
    readonly portingNoticeMinutes: number;
    readonly schedulerIntervalMs: number;
  };
  /** Gates that decide by face (src/services/transit/, src/services/parking/): the lead over the runner-up. */
  readonly gates: { readonly margin: number };
  /**
   * The payment port: the development adapter (deterministic; its ledger in `ledgerFile` if set), each call's
   * timeout, and how often (and after how long) the outbox retries a charge the port has not answered.
   */
  readonly payments: { readonly timeoutMs: number; readonly retryIntervalMs: number; readonly ledgerFile?: string };
  /** Bank transfers (src/services/transfers/): where batches are spooled, their limits, records in flight. */
  readonly transfers: {
    readonly spoolDir: string;
    readonly maxBatchBytes: number;
    readonly maxRecordBytes: number;
    /** Records processed at once; 0 (the default) means one per engine thread. */
    readonly concurrency: number;
  };
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
  const egov = [
    e.OBLIK_EGOV_OIDC_ISSUER,
    e.OBLIK_EGOV_OIDC_CLIENT_ID,
    e.OBLIK_EGOV_OIDC_CLIENT_SECRET,
    e.OBLIK_EGOV_OIDC_REDIRECT_URI,
  ];
  if (egov.some(Boolean) && !egov.every(Boolean)) {
    throw new ConfigError(
      'invalid configuration: set all of OBLIK_EGOV_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _REDIRECT_URI, or none',
    );
  }
  const dataDir = resolve(e.OBLIK_DATA_DIR);
  return deepFreeze({
    server: {
      host: e.HOST,
      port: e.PORT,
      logLevel: e.OBLIK_LOG_LEVEL,
      ...(e.OBLIK_METRICS_PORT === 'off'
        ? {}
        : { metrics: { host: e.OBLIK_METRICS_HOST, port: e.OBLIK_METRICS_PORT } }),
      rateLimit: { max: e.OBLIK_RATE_LIMIT_MAX, windowMs: e.OBLIK_RATE_LIMIT_WINDOW_SECONDS * 1000 },
      ...(e.OBLIK_TRUST_PROXY === undefined ? {} : { trustProxy: parseTrustProxy(e.OBLIK_TRUST_PROXY) }),
    },
    database: e.DATABASE_URL
      ? {
          dialect: 'postgres' as const,
          url: e.DATABASE_URL,
          poolSize: e.OBLIK_DATABASE_POOL_SIZE,
          connectTimeoutMs: e.OBLIK_DATABASE_CONNECT_TIMEOUT_MS,
          statementTimeoutMs: e.OBLIK_DATABASE_STATEMENT_TIMEOUT_MS,
        }
      : { dialect: 'sqlite' as const, file: resolve(dataDir, 'oblik.sqlite') },
    keys: {
      keyFile: resolve(dataDir, 'master.key'),
      ...(e.OBLIK_MASTER_KEY ? { masterKey: e.OBLIK_MASTER_KEY } : {}),
      retiredMasterKeys: splitList(e.OBLIK_RETIRED_MASTER_KEYS),
    },
    transparency: {
      witnessFile: resolve(e.OBLIK_LOG_WITNESS ?? resolve(dataDir, 'transparency-witness.ndjson')),
    },
    registry: {
      dataDir,
      ...(e.OBLIK_BOOTSTRAP_ADMIN_KEY ? { bootstrapAdminKey: e.OBLIK_BOOTSTRAP_ADMIN_KEY } : {}),
      segments: parseSegments(e.OBLIK_SEGMENTS),
      ...(e.OBLIK_IDENTIFY_THRESHOLD === undefined ? {} : { identifyThreshold: e.OBLIK_IDENTIFY_THRESHOLD }),
      identifyFalseCandidates: e.OBLIK_IDENTIFY_FALSE_CANDIDATES,
      ...(e.OBLIK_DEDUP_THRESHOLD === undefined ? {} : { dedupThreshold: e.OBLIK_DEDUP_THRESHOLD }),
      dedupFalseCandidates: e.OBLIK_DEDUP_FALSE_CANDIDATES,
      maxCandidates: e.OBLIK_IDENTIFY_MAX_CANDIDATES,
      idempotencyTtlHours: e.OBLIK_IDEMPOTENCY_TTL_HOURS,
      requireLiveness: e.OBLIK_REQUIRE_LIVENESS,
      enrolmentAttempts: {
        maxAttempts: e.OBLIK_ENROLMENT_MAX_ATTEMPTS,
        alertAttempts: e.OBLIK_ENROLMENT_ALERT_ATTEMPTS,
        windowSeconds: e.OBLIK_ENROLMENT_WINDOW_SECONDS,
      },
      index: {
        kind: e.OBLIK_INDEX,
        hnsw: {
          exactBelow: e.OBLIK_INDEX_EXACT_BELOW,
          connectivity: e.OBLIK_INDEX_CONNECTIVITY,
          expansionAdd: e.OBLIK_INDEX_EXPANSION_ADD,
          expansionSearch: e.OBLIK_INDEX_EXPANSION_SEARCH,
          candidates: e.OBLIK_INDEX_CANDIDATES,
          quantization: e.OBLIK_INDEX_QUANTIZATION,
          buildThreads: e.OBLIK_INDEX_BUILD_THREADS,
        },
      },
    },
    citizen: {
      sessionMinutes: e.OBLIK_CITIZEN_SESSION_MINUTES,
      signInCodeMinutes: e.OBLIK_SIGN_IN_CODE_MINUTES,
      maxFailedSignIns: e.OBLIK_SIGN_IN_MAX_FAILURES,
      maxSignInsPerSource: e.OBLIK_SIGN_IN_SOURCE_MAX,
      throttleWindowMinutes: e.OBLIK_SIGN_IN_WINDOW_MINUTES,
      secondFactorMinutes: e.OBLIK_SECOND_FACTOR_MINUTES,
    },
    messages: {
      ...(e.OBLIK_MESSAGE_WEBHOOK_URL ? { webhookUrl: e.OBLIK_MESSAGE_WEBHOOK_URL } : {}),
      outboxDir: resolve(dataDir, 'outbox'),
    },
    ...(e.OBLIK_EGOV_OIDC_ISSUER
      ? {
          egovLogin: {
            issuer: e.OBLIK_EGOV_OIDC_ISSUER,
            clientId: e.OBLIK_EGOV_OIDC_CLIENT_ID!,
            clientSecret: e.OBLIK_EGOV_OIDC_CLIENT_SECRET!,
            redirectUri: e.OBLIK_EGOV_OIDC_REDIRECT_URI!,
          },
        }
      : {}),
    notify: e.OBLIK_NOTIFY_WEBHOOK_URL ? { webhookUrl: e.OBLIK_NOTIFY_WEBHOOK_URL } : {},
    documents: {
      ocr: { workers: e.OBLIK_OCR_WORKERS, timeoutMs: e.OBLIK_OCR_TIMEOUT_MS, maxQueue: e.OBLIK_OCR_MAX_QUEUE },
    },
    telecom: {
      maxContracts: e.OBLIK_TELECOM_MAX_CONTRACTS,
      portingNoticeMinutes: e.OBLIK_PORTING_NOTICE_MINUTES,
      schedulerIntervalMs: e.OBLIK_TELECOM_SCHEDULER_SECONDS * 1000,
    },
    gates: { margin: e.OBLIK_GATE_MARGIN },
    payments: {
      timeoutMs: e.OBLIK_PAYMENT_TIMEOUT_MS,
      retryIntervalMs: e.OBLIK_PAYMENT_RETRY_SECONDS * 1000,
      ...(e.OBLIK_PAYMENT_DEV_LEDGER ? { ledgerFile: resolve(e.OBLIK_PAYMENT_DEV_LEDGER) } : {}),
    },
    transfers: {
      spoolDir: resolve(dataDir, 'transfers'),
      maxBatchBytes: e.OBLIK_TRANSFER_MAX_BATCH_BYTES,
      maxRecordBytes: e.OBLIK_TRANSFER_MAX_RECORD_BYTES,
      concurrency: e.OBLIK_TRANSFER_CONCURRENCY,
    },
    engine: {
      modelPackDir: e.OBLIK_MODEL_PACK_DIR,
      threads: e.OBLIK_ENGINE_THREADS,
      maxQueue: e.OBLIK_ENGINE_MAX_QUEUE,
      taskTimeoutMs: e.OBLIK_ENGINE_TASK_TIMEOUT_MS,
      denormalsAsZero: e.OBLIK_ENGINE_DENORMALS_AS_ZERO,
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

/** `true`/`false`, a hop count, or a comma-separated list of addresses and CIDRs (as Fastify takes them). */
function parseTrustProxy(value: string): boolean | number | string {
  const v = value.trim();
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

function parseSegments(value: string | undefined): { id: string; name: string }[] {
  return splitList(value).map((entry) => {
    const [id = '', ...name] = entry.split(':');
    if (!SEGMENT_ID.test(id)) {
      throw new ConfigError(
        `invalid configuration:\n  OBLIK_SEGMENTS: "${id}" is not a segment id (${SEGMENT_ID.source})`,
      );
    }
    return { id, name: name.join(':').trim() || id };
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
