/**
 * Face accuracy benchmark: npm run bench:accuracy -- --dataset DIR [--pairs PAIRS.txt] [--limit N] [--json]
 *
 * DIR holds one folder per identity. Every same-identity pair of acquired images is a genuine pair and every
 * cross-identity pair an impostor pair; an image the single-face capture refuses counts towards `fte` and is
 * left out of them. With --pairs, an LFW-format pairs.txt, it also reports the standard 10-fold accuracy, where
 * as the protocol intends every pair is scored on each image's dominant face (a refused multi-face image
 * included); a pair with an image where no face was found at all counts as an error. The last line printed
 * is one JSON object.
 *
 * With --compare-denormals N, the first N images are captured again with denormal floats kept (the engine's
 * default flushes them to zero, OBLIK_ENGINE_DENORMALS_AS_ZERO) and the two templates of each image are
 * compared: the option is meant to change the speed and nothing else.
 */
import { readFileSync } from 'node:fs';
import { FaceEngine } from '../src/biometrics/face-engine.js';
import { loadConfig } from '../src/config/config.js';
import { benchArgs } from './lib/args.js';
import { listDataset, parsePairs } from './lib/dataset.js';
import { captureAll } from './lib/run-images.js';
import { scoreAllPairs } from './lib/score-pairs.js';
import { equalErrorRate, tarAtFar, tenFoldAccuracy } from './lib/verification-metrics.js';

const args = benchArgs('pairs', 'compare-denormals');
const config = loadConfig(process.env);
const images = listDataset(args.dataset, args.limit);
const pairsFile = args.extra['pairs'] ? parsePairs(readFileSync(args.extra['pairs'], 'utf8'), args.dataset) : undefined;
const paths = [...new Set([...images.map((i) => i.path), ...(pairsFile?.pairs.flatMap((p) => [p.a, p.b]) ?? [])])];

const engine = await FaceEngine.start(config.engine);
const outcomes = await captureAll(engine, paths);
await engine.close();

const acquired = images.filter((i) => outcomes.get(i.path)?.face && !outcomes.get(i.path)?.error);
const failures: Record<string, number> = {};
for (const i of images) {
  const code = outcomes.get(i.path)?.error;
  if (code) failures[code] = (failures[code] ?? 0) + 1;
}
const qualityRejects: Record<string, number> = {};
for (const i of acquired) {
  for (const r of outcomes.get(i.path)!.face!.quality.reasons) qualityRejects[r] = (qualityRejects[r] ?? 0) + 1;
}
const { genuine, impostor } = scoreAllPairs(
  acquired.map((i) => ({ identity: i.identity, vector: outcomes.get(i.path)!.face!.template })),
);

const fars = ['1e-2', '1e-3', '1e-4'] as const;
const points = Object.fromEntries(fars.map((f) => [f, tarAtFar(genuine, impostor, Number(f))]));
const timed = acquired.map((i) => outcomes.get(i.path)!.timings!.total);
const result: Record<string, unknown> = {
  dataset: args.dataset,
  model_pack: engine.modelPack.tag,
  images: images.length,
  identities: new Set(images.map((i) => i.identity)).size,
  fte: (images.length - acquired.length) / images.length,
  fte_reasons: failures,
  quality_flagged: acquired.filter((i) => !outcomes.get(i.path)!.face!.quality.acceptable).length,
  quality_reasons: qualityRejects,
  genuine_pairs: genuine.length,
  impostor_pairs: impostor.length,
  eer: equalErrorRate(genuine, impostor).eer,
  tar_at_far: Object.fromEntries(fars.map((f) => [f, points[f]!.tar])),
  thr_at_far: Object.fromEntries(fars.map((f) => [f, points[f]!.threshold])),
  ms_per_image: timed.reduce((a, b) => a + b, 0) / Math.max(1, timed.length),
};
if (pairsFile) {
  const vector = (p: string) => outcomes.get(p)?.face?.template;
  const scored = pairsFile.pairs.map((p) => {
    const a = vector(p.a),
      b = vector(p.b);
    let score = Number.NaN;
    if (a && b) {
      score = 0;
      for (let k = 0; k < a.length; k++) score += a[k]! * b[k]!;
    }
    return { fold: p.fold, same: p.same, score };
  });
  const acc = tenFoldAccuracy(scored);
  result['pairs'] = scored.length;
  result['pairs_unscored'] = scored.filter((p) => Number.isNaN(p.score)).length;
  result['pairs_accuracy'] = acc.mean;
  result['pairs_accuracy_std'] = acc.std;
}

const compareDenormals = Number(args.extra['compare-denormals'] ?? 0);
if (compareDenormals > 0) {
  const sample = paths.slice(0, compareDenormals);
  const kept = await FaceEngine.start({ ...config.engine, denormalsAsZero: false });
  const before = await captureAll(kept, sample);
  await kept.close();
  const cosines: number[] = [];
  let differingOutcomes = 0;
  for (const path of sample) {
    const a = before.get(path)?.face?.template;
    const b = outcomes.get(path)?.face?.template;
    if (!a || !b) {
      if (a || b || before.get(path)?.error !== outcomes.get(path)?.error) differingOutcomes++;
      continue;
    }
    let dot = 0;
    for (let k = 0; k < a.length; k++) dot += a[k]! * b[k]!;
    cosines.push(dot);
  }
  result['denormals'] = {
    images: sample.length,
    compared: cosines.length,
    differing_outcomes: differingOutcomes,
    min_cosine: Math.min(...cosines),
    mean_cosine: cosines.reduce((x, y) => x + y, 0) / Math.max(1, cosines.length),
  };
}

if (!args.json) {
  console.log(
    `images ${images.length}, identities ${String(result['identities'])}, FTE ${(100 * (result['fte'] as number)).toFixed(2)}%`,
  );
  console.log(`EER ${(100 * (result['eer'] as number)).toFixed(2)}%`);
  for (const f of fars)
    console.log(`TAR@FAR=${f}: ${(100 * points[f]!.tar).toFixed(2)}% at threshold ${points[f]!.threshold.toFixed(4)}`);
  if (pairsFile) console.log(`LFW-protocol accuracy ${(100 * (result['pairs_accuracy'] as number)).toFixed(2)}%`);
}
console.log(JSON.stringify(result));
