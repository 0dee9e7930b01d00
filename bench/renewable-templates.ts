/**
 * Renewable templates benchmark: npm run bench:renewable -- --dataset DIR [--limit N] [--json]
 *
 * Checks on real faces what `src/matcher/orthogonal-transform.ts` promises (ISO/IEC 24745): a segment's secret
 * rotation keeps accuracy, a re-keyed gallery still matches, and a stolen template matches nothing elsewhere.
 * DIR holds one folder per identity (lfw-dev); --limit caps the identities, 200 by default (about 900 images,
 * a few minutes on 2 cores); pass a larger one (e.g. 1000) for the whole of lfw-dev. Every acquired face is
 * embedded once, exactly as `bench:accuracy` does, and every pair of images (the earlier one in sorted order
 * as the gallery side, the later as the probe) is scored in each of these scenarios:
 *  - raw: the embeddings as the engine outputs them;
 *  - same key: both sides under R1, a segment's transform;
 *  - re-keyed: the gallery stored under R1 then moved with rekey(R1, R2), probes under R2;
 *  - leaks: a gallery template stolen under R1, compared with probes under R2, under R3 (another segment),
 *    and with raw embeddings.
 * For each it reports EER, TAR at FAR = 1e-3 and 1e-4, the largest score difference from raw over the same
 * pairs, the highest genuine score, and the share of genuine and impostor pairs accepted at the match threshold
 * (score >= OBLIK_MATCH_THRESHOLD, 0.42 by default). The keys are fixed (SHA-256 of a label) so that runs repeat.
 * The last line printed is one JSON object; with --json it is the only output on stdout.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { FaceEngine } from '../src/biometrics/face-engine.js';
import { loadConfig } from '../src/config/config.js';
import { OrthogonalTransform } from '../src/matcher/orthogonal-transform.js';
import { dotAt } from '../src/matcher/scoring.js';
import { benchArgs } from './lib/args.js';
import { listDataset } from './lib/dataset.js';
import { captureAll } from './lib/run-images.js';
import { scoreAllPairs } from './lib/score-pairs.js';
import { equalErrorRate, tarAtFar } from './lib/verification-metrics.js';

const DEFAULT_IDENTITIES = 200;

const args = benchArgs();
const config = loadConfig(process.env);
const images = listDataset(args.dataset, Number.isFinite(args.limit) ? args.limit : DEFAULT_IDENTITIES);

const engine = await FaceEngine.start(config.engine);
const started = performance.now();
const outcomes = await captureAll(
  engine,
  images.map((i) => i.path),
);
const embedSeconds = (performance.now() - started) / 1000;
await engine.close();
const threshold = engine.settings.matchThreshold;

const acquired = images.filter((i) => outcomes.get(i.path)?.face && !outcomes.get(i.path)?.error);
const identities = acquired.map((i) => i.identity);
const raw = acquired.map((i) => outcomes.get(i.path)!.face!.template);
const dim = raw[0]?.length ?? 0;
if (dim === 0) {
  console.error('no usable face in the dataset');
  process.exit(1);
}

// Transform costs, at the embedder's dimension.
const keyOf = (label: string) => new Uint8Array(createHash('sha256').update(`oblik-bench-renewable:${label}`).digest());
const timed = <T>(run: () => T): { value: T; ms: number } => {
  const t = performance.now();
  const value = run();
  return { value, ms: performance.now() - t };
};
const gen = ['segment-1', 'segment-2', 'segment-3'].map((label) =>
  timed(() => OrthogonalTransform.fromSeed(keyOf(label), dim)),
);
const [r1, r2, r3] = gen.map((g) => g.value) as [OrthogonalTransform, OrthogonalTransform, OrthogonalTransform];
const rekey = timed(() => OrthogonalTransform.rekey(r1, r2));
const applyAll = (r: OrthogonalTransform, vs: readonly Float32Array[]) => timed(() => vs.map((v) => r.apply(v)));
const underR1 = applyAll(r1, raw);
const underR2 = applyAll(r2, raw);
const underR3 = applyAll(r3, raw).value;
const rekeyed = applyAll(rekey.value, underR1.value).value;
const inverse = timed(() => underR1.value.map((v) => r1.applyTranspose(v)));
const perVector = (ms: number) => (1000 * ms) / raw.length;

/** Every pair i < j, gallery side i and probe side j, split as `scoreAllPairs` splits (and in its order). */
function scoreCrossPairs(gallery: readonly Float32Array[], probes: readonly Float32Array[]) {
  const n = identities.length;
  const pack = (vs: readonly Float32Array[]) => {
    const m = new Float32Array(n * dim);
    vs.forEach((v, i) => m.set(v, i * dim));
    return m;
  };
  const g = pack(gallery);
  const sameCount = identities.reduce(
    (c, id, i) => c + identities.slice(i + 1).filter((other) => other === id).length,
    0,
  );
  const genuine = new Float32Array(sameCount);
  const impostor = new Float32Array((n * (n - 1)) / 2 - sameCount);
  let gi = 0;
  let ii = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = dotAt(g, i * dim, probes[j]!, dim);
      if (identities[i] === identities[j]) genuine[gi++] = s;
      else impostor[ii++] = s;
    }
  }
  return { genuine, impostor };
}

const labelled = (vs: readonly Float32Array[]) => vs.map((vector, i) => ({ identity: identities[i]!, vector }));
const baseline = scoreAllPairs(labelled(raw));
const scenarios = [
  { name: 'raw embeddings', scores: baseline },
  { name: 'same key: R1 vs R1', scores: scoreAllPairs(labelled(underR1.value)) },
  { name: 're-keyed: rekey(R1,R2)·R1x vs R2', scores: scoreCrossPairs(rekeyed, underR2.value) },
  { name: 'leak: R1 vs R2', scores: scoreCrossPairs(underR1.value, underR2.value) },
  { name: 'leak: R1 vs R3', scores: scoreCrossPairs(underR1.value, underR3) },
  { name: 'leak: R1 vs raw', scores: scoreCrossPairs(underR1.value, raw) },
];

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, k) => Math.max(m, Math.abs(x - b[k]!)), 0);
const accepted = (s: Float32Array) => s.reduce((c, x) => c + (x >= threshold ? 1 : 0), 0) / s.length;
const rows = scenarios.map(({ name, scores: { genuine, impostor } }) => ({
  scenario: name,
  eer: equalErrorRate(genuine, impostor).eer,
  tar_at_far_1e3: tarAtFar(genuine, impostor, 1e-3).tar,
  tar_at_far_1e4: tarAtFar(genuine, impostor, 1e-4).tar,
  max_abs_diff_vs_raw: Math.max(maxDiff(genuine, baseline.genuine), maxDiff(impostor, baseline.impostor)),
  genuine_max: genuine.reduce((m, x) => Math.max(m, x), -1),
  genuine_accepted: accepted(genuine),
  impostor_accepted: accepted(impostor),
}));

const result = {
  dataset: args.dataset,
  model_pack: engine.modelPack.tag,
  images: images.length,
  acquired: acquired.length,
  identities: new Set(identities).size,
  genuine_pairs: baseline.genuine.length,
  impostor_pairs: baseline.impostor.length,
  dim,
  match_threshold: threshold,
  embed_seconds: embedSeconds,
  timings_ms: {
    from_seed: gen.map((g) => g.ms),
    rekey: rekey.ms,
    apply_us_per_vector: perVector(underR1.ms + underR2.ms) / 2,
    apply_transpose_us_per_vector: perVector(inverse.ms),
  },
  inverse_max_abs_error: Math.max(...inverse.value.map((v, i) => maxDiff(v, raw[i]!))),
  scenarios: rows,
};

if (!args.json) {
  // Two decimals, or two significant digits for rates below 0.1%, where the impostor acceptances are.
  const pct = (x: number) => `${x === 0 || x >= 1e-3 ? (100 * x).toFixed(2) : (100 * x).toPrecision(2)}%`;
  console.log(
    `${result.images} images of ${new Set(images.map((i) => i.identity)).size} identities, ${result.acquired} acquired ` +
      `(embedded in ${embedSeconds.toFixed(0)} s); ${result.genuine_pairs} genuine and ${result.impostor_pairs} impostor pairs; dim ${dim}`,
  );
  console.log(
    `transform: fromSeed ${gen.map((g) => g.ms.toFixed(0)).join(' / ')} ms, rekey ${rekey.ms.toFixed(0)} ms, ` +
      `apply ${result.timings_ms.apply_us_per_vector.toFixed(0)} µs/vector, applyTranspose ` +
      `${result.timings_ms.apply_transpose_us_per_vector.toFixed(0)} µs/vector (max |Rᵀ·R·x − x| ${result.inverse_max_abs_error.toExponential(1)})`,
  );
  const header = [
    'scenario',
    'EER',
    'TAR@1e-3',
    'TAR@1e-4',
    'max|Δ| vs raw',
    'max genuine',
    `gen ≥ ${threshold}`,
    `imp ≥ ${threshold}`,
  ];
  const table = rows.map((r) => [
    r.scenario,
    pct(r.eer),
    pct(r.tar_at_far_1e3),
    pct(r.tar_at_far_1e4),
    r.max_abs_diff_vs_raw.toExponential(1),
    r.genuine_max.toFixed(3),
    pct(r.genuine_accepted),
    pct(r.impostor_accepted),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  console.log(line(header));
  for (const r of table) console.log(line(r));
}
console.log(JSON.stringify(result));
