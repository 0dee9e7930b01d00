/**
 * 1:N identification benchmark: npm run bench:identification -- --dataset DIR [--singletons DIR] [--limit N] [--json]
 *
 * DIR holds one folder per identity (lfw-dev); --singletons (default: DIR's sibling `lfw-dev-singletons`) holds
 * one-image people used as gallery distractors. --limit caps the identities taken from each. The split:
 *  - every 5th identity of DIR in sorted order (the 5th, 10th, …) is held out: never enrolled, all its images
 *    are non-mated probes;
 *  - every other identity enrols its first image with a usable face; its remaining images are mated probes;
 *  - every singleton with a usable face is enrolled as a distractor.
 * A usable face is the dominant face of an image that a single-face capture accepts (quality and liveness are
 * measured, not enforced); anything else is a failure to acquire. A mated probe that fails to acquire counts
 * as a miss in rank-1 and FNIR (the system returns nobody for it); a non-mated probe that fails is left out of
 * FPIR (it makes no search). Each acquired probe is scored by brute force against every enrolment.
 * For extrapolation to larger galleries it also reports the per-comparison false match rate, over the
 * non-mated searches and over every cross-identity pair, and names the highest impostor scores: at the top of
 * LFW's tail are people filed under two names, which must be read before trusting the tail.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FaceEngine } from '../src/biometrics/face-engine.js';
import { dot } from '../src/biometrics/template.js';
import { loadConfig } from '../src/config/config.js';
import { benchArgs } from './lib/args.js';
import { listDataset, type LabelledImage } from './lib/dataset.js';
import {
  FAILED_TO_ACQUIRE,
  countAtLeast,
  highestImpostorPairs,
  highestInMatrix,
  fnirAtFpir,
  rank1Accuracy,
  thresholdSweep,
  type MatedSearch,
} from './lib/identification-metrics.js';
import { captureAll } from './lib/run-images.js';
import { scoreAllPairs } from './lib/score-pairs.js';
import { tarAtFar } from './lib/verification-metrics.js';

const HOLD_OUT_EVERY = 5;
const FPIR_TARGETS = ['1e-2', '1e-3'] as const;
const THRESHOLDS = [0.4, 0.42, 0.45, 0.48, 0.5, 0.52, 0.55, 0.6];
const GALLERY_SIZES = [100_000, 1_000_000];
const TAIL = 10;
// Per-comparison rates that keep expected false candidates per search near 0.1–1 at 100k–1M enrolments.
const FMR_TARGETS = ['1e-5', '1e-6', '1e-7'] as const;

const args = benchArgs('singletons');
const config = loadConfig(process.env);
const dev = listDataset(args.dataset, args.limit);
const singletonsDir = args.extra['singletons'] ?? join(dirname(resolve(args.dataset)), 'lfw-dev-singletons');
if (args.extra['singletons'] !== undefined && !existsSync(singletonsDir)) {
  console.error(`no such directory: ${singletonsDir}`);
  process.exit(2);
}
const singletons = existsSync(singletonsDir) ? listDataset(singletonsDir, args.limit) : [];

const identities = [...new Set(dev.map((i) => i.identity))]; // sorted, as listDataset lists them
const heldOut = new Set(identities.filter((_, k) => k % HOLD_OUT_EVERY === HOLD_OUT_EVERY - 1));

const engine = await FaceEngine.start(config.engine);
const embedStart = performance.now();
const outcomes = await captureAll(
  engine,
  [...dev, ...singletons].map((i) => i.path),
);
const embedWallMs = performance.now() - embedStart;
const modelPack = engine.modelPack.tag;
await engine.close();

/** The usable face's template, or undefined for a failure to acquire. */
const templateOf = (path: string): Float32Array | undefined => {
  const o = outcomes.get(path);
  return o?.face && !o.error ? o.face.template : undefined;
};
const ftaReasons: Record<string, number> = {};
const noteFailure = (i: LabelledImage) => {
  const code = outcomes.get(i.path)?.error ?? 'unknown';
  ftaReasons[code] = (ftaReasons[code] ?? 0) + 1;
};

// The gallery: one enrolment per enrolled identity, then the distractors.
const gallery: { identity: string; path: string; vector: Float32Array }[] = [];
let unenrollableIdentities = 0;
for (const identity of identities.filter((id) => !heldOut.has(id))) {
  const first = dev.find((i) => i.identity === identity && templateOf(i.path));
  if (first) gallery.push({ ...first, vector: templateOf(first.path)! });
  else unenrollableIdentities++;
}
const enrolledPath = new Map(gallery.map((g) => [g.identity, g.path]));
let unenrollableDistractors = 0;
for (const s of singletons) {
  const vector = templateOf(s.path);
  if (vector) gallery.push({ ...s, vector });
  else unenrollableDistractors++;
}

const searchMs: number[] = [];
/** Brute-force 1:N: the best enrolment and its score; with `into`, every score is kept there too. */
function search(probe: Float32Array, into?: Float64Array): { identity: string; score: number } {
  const t0 = performance.now();
  let best = Number.NEGATIVE_INFINITY,
    at = 0;
  for (let g = 0; g < gallery.length; g++) {
    const s = dot(probe, gallery[g]!.vector);
    if (into) into[g] = s;
    if (s > best) {
      best = s;
      at = g;
    }
  }
  searchMs.push(performance.now() - t0);
  return { identity: gallery[at]?.identity ?? '', score: best };
}

// Mated probes: an enrolled identity's other images. Identities that could not enrol have no mate to find.
const matedImages = dev.filter((i) => enrolledPath.has(i.identity) && enrolledPath.get(i.identity) !== i.path);
const mated: MatedSearch[] = matedImages.map((i) => {
  const probe = templateOf(i.path);
  if (!probe) {
    noteFailure(i);
    return FAILED_TO_ACQUIRE;
  }
  const top = search(probe);
  return { mateIsTop1: top.identity === i.identity, top1Score: top.score };
});
const matedFta = mated.filter((m) => m === FAILED_TO_ACQUIRE).length;

const nonMatedImages = dev.filter((i) => heldOut.has(i.identity));
const nonMatedProbes = nonMatedImages.flatMap((i) => {
  const vector = templateOf(i.path);
  if (!vector) noteFailure(i);
  return vector ? [{ path: i.path, vector }] : [];
});
const comparisons = new Float64Array(nonMatedProbes.length * gallery.length);
const nonMatedTop1 = nonMatedProbes.map(
  (p, k) => search(p.vector, comparisons.subarray(k * gallery.length, (k + 1) * gallery.length)).score,
);

// Every cross-identity pair of acquired templates: 8× the comparisons above, to resolve the tail that
// matters for dedup at 1M (per-comparison rates near 1e-7), at the price of no longer being a search.
const acquired = [...dev, ...singletons].flatMap((i) => {
  const vector = templateOf(i.path);
  return vector ? [{ ...i, vector }] : [];
});
const allPairs = scoreAllPairs(acquired);
// The tops of both tails, named, so that wrong labels or one person under two names can be spotted by eye.
const short = (path: string) => path.split(sep).slice(-2).join('/');
const tails = {
  non_mated_searches: highestInMatrix(comparisons, gallery.length, TAIL).map((p) => ({
    score: p.score,
    probe: short(nonMatedProbes[p.a]!.path),
    enrolment: short(gallery[p.b]!.path),
  })),
  all_pairs: highestImpostorPairs(acquired, TAIL).map((p) => ({
    score: p.score,
    probe: short(acquired[p.a]!.path),
    enrolment: short(acquired[p.b]!.path),
  })),
};

const sweep = thresholdSweep(mated, nonMatedTop1, comparisons, THRESHOLDS, GALLERY_SIZES);
const points = FPIR_TARGETS.map((f) => ({ target: f, ...fnirAtFpir(mated, nonMatedTop1, Number(f)) }));
const fmrPoints = FMR_TARGETS.map((f) => ({ target: f, ...tarAtFar(allPairs.genuine, allPairs.impostor, Number(f)) }));
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const percentile = (xs: readonly number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? 0;
// Per image, inside one worker: the pipeline's own clock, so queueing for a worker is not counted.
const engineTimes = [...outcomes.values()].flatMap((o) => (o.timings ? [o.timings.total] : []));
const searchMean = mean(searchMs);

const result = {
  dataset: args.dataset,
  singletons: singletons.length ? singletonsDir : null,
  model_pack: modelPack,
  split: {
    rule: `every ${HOLD_OUT_EVERY}th identity in sorted order held out as non-mated; others enrol their first usable image`,
    identities: identities.length,
    enrolled_identities: identities.length - heldOut.size - unenrollableIdentities,
    unenrollable_identities: unenrollableIdentities,
    held_out_identities: heldOut.size,
    distractors: singletons.length - unenrollableDistractors,
    unenrollable_distractors: unenrollableDistractors,
    gallery_size: gallery.length,
  },
  mated_probes: mated.length,
  mated_fta: matedFta,
  non_mated_probes: nonMatedImages.length,
  non_mated_fta: nonMatedImages.length - nonMatedProbes.length,
  fta_reasons: ftaReasons,
  fta_handling: 'mated: a miss at every threshold and at rank 1; non-mated: excluded (no search is made)',
  rank1: rank1Accuracy(mated),
  rank1_acquired_only: rank1Accuracy(mated.filter((m) => m !== FAILED_TO_ACQUIRE)),
  fnir_at_fpir: Object.fromEntries(
    points.map((p) => [
      p.target,
      {
        threshold: p.threshold,
        fnir: p.fnir,
        fpir: p.fpir,
        false_positives_allowed: p.falsePositivesAllowed,
        measurable: p.measurable,
      },
    ]),
  ),
  max_non_mated_top1: Math.max(...nonMatedTop1),
  configured_match_threshold: config.engine.matchThreshold,
  non_mated_comparisons: comparisons.length,
  sweep: sweep.map((r) => ({
    threshold: r.threshold,
    fnir: r.fnir,
    fpir: r.fpir,
    false_matches: r.falseMatches,
    fmr: r.fmr,
    fmr_upper95: r.fmrUpper95,
    false_candidates: Object.fromEntries(
      r.projections.map((p) => [p.size, { expected: p.expected, upper95: p.upper95 }]),
    ),
    all_pairs_false_matches: countAtLeast(allPairs.impostor, r.threshold),
    all_pairs_fmr: countAtLeast(allPairs.impostor, r.threshold) / allPairs.impostor.length,
  })),
  all_pairs: { impostor: allPairs.impostor.length, genuine: allPairs.genuine.length },
  all_pairs_fmr_points: Object.fromEntries(
    fmrPoints.map((p) => [
      p.target,
      {
        threshold: p.threshold,
        fmr: p.far,
        genuine_accept: p.tar,
        resolvable: Number(p.target) * allPairs.impostor.length >= 1,
      },
    ]),
  ),
  search_ms_per_probe: { mean: searchMean, p50: percentile(searchMs, 0.5), p99: percentile(searchMs, 0.99) },
  search_ms_extrapolated: Object.fromEntries(GALLERY_SIZES.map((n) => [n, (searchMean * n) / gallery.length])),
  engine_ms_per_image: { mean: mean(engineTimes), p50: percentile(engineTimes, 0.5) },
  engine_images_per_second: (1000 * outcomes.size) / embedWallMs,
  highest_impostor_scores: tails,
};

if (args.json) {
  console.log(JSON.stringify(result));
} else {
  printReport();
}

function printReport(): void {
  const pct = (v: number, d = 2) => `${(100 * v).toFixed(d)}%`;
  const sci = (v: number) => (v === 0 ? '0' : v.toExponential(2));
  const s = result.split;
  console.log(`model pack ${modelPack}; split: ${s.rule}`);
  console.log(
    `gallery ${s.gallery_size}: ${s.enrolled_identities} lfw-dev identities + ${s.distractors} singleton distractors` +
      ` (${s.held_out_identities} identities held out; could not enrol: ${s.unenrollable_identities} identities,` +
      ` ${s.unenrollable_distractors} distractors)`,
  );
  console.log(`mated probes ${mated.length} (${matedFta} failed to acquire, counted as misses)`);
  console.log(`non-mated probes ${nonMatedImages.length} (${result.non_mated_fta} failed to acquire, excluded)`);
  console.log(`failure-to-acquire reasons ${JSON.stringify(ftaReasons)}`);
  console.log(`rank-1 ${pct(result.rank1)} (acquired probes only: ${pct(result.rank1_acquired_only)})`);
  for (const p of points) {
    const note = p.measurable
      ? `${p.falsePositivesAllowed} false positives allowed of ${nonMatedProbes.length}`
      : `NOT measurable with ${nonMatedProbes.length} non-mated searches: zero-false-positive point`;
    console.log(
      `FNIR@FPIR=${p.target}: ${pct(p.fnir)} at threshold ${p.threshold.toFixed(4)} (FPIR ${pct(p.fpir)}; ${note})`,
    );
  }
  console.log(`max non-mated top-1 score ${result.max_non_mated_top1.toFixed(4)}`);
  console.log(
    `\nper-comparison FMR over ${comparisons.length} non-mated probe×gallery pairs (upper: 95% bound); ` +
      `false candidates per search = FMR × N; last column: ${allPairs.impostor.length} cross-identity pairs`,
  );
  console.log('thr    FNIR     FPIR    pairs≥t  FMR       (upper)   @100k      (upper)   @1M        (upper)   FMR-all');
  for (const r of result.sweep) {
    const [a, b] = GALLERY_SIZES.map((n) => r.false_candidates[n]!);
    console.log(
      [
        r.threshold.toFixed(2),
        pct(r.fnir).padStart(7),
        pct(r.fpir).padStart(7),
        String(r.false_matches).padStart(8),
        sci(r.fmr).padEnd(9),
        sci(r.fmr_upper95).padEnd(9),
        a!.expected.toFixed(3).padStart(9),
        a!.upper95.toFixed(3).padStart(9),
        b!.expected.toFixed(2).padStart(9),
        b!.upper95.toFixed(2).padStart(9),
        sci(r.all_pairs_fmr),
      ].join('  '),
    );
  }
  for (const p of fmrPoints) {
    const resolvable = Number(p.target) * allPairs.impostor.length >= 1 ? '' : ' (not resolvable: no pair may pass)';
    console.log(
      `all-pairs FMR=${p.target}: score > ${p.threshold.toFixed(4)}, genuine pairs accepted ${pct(p.tar)}` +
        ` (FMR ${sci(p.far)})${resolvable}`,
    );
  }
  for (const [name, pairs] of Object.entries(tails)) {
    console.log(`highest impostor scores (${name.replace(/_/g, ' ')}):`);
    for (const p of pairs) console.log(`  ${p.score.toFixed(4)}  ${p.probe}  ~  ${p.enrolment}`);
  }
  const sm = result.search_ms_per_probe;
  console.log(
    `\n1:N search over ${gallery.length}: ${sm.mean.toFixed(3)} ms/probe (p50 ${sm.p50.toFixed(3)}, p99 ` +
      `${sm.p99.toFixed(3)}); brute force at 100k ≈ ${result.search_ms_extrapolated[100_000]!.toFixed(0)} ms, ` +
      `1M ≈ ${result.search_ms_extrapolated[1_000_000]!.toFixed(0)} ms`,
  );
  console.log(
    `engine ${result.engine_ms_per_image.mean.toFixed(1)} ms/image per worker (p50 ` +
      `${result.engine_ms_per_image.p50.toFixed(1)}), ` +
      `${result.engine_images_per_second.toFixed(1)} images/s over ${config.engine.threads} workers`,
  );
}
