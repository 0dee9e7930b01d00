/**
 * Engine speed benchmark: npm run bench:engine -- --dataset DIR [--limit N] [--json]
 *
 * Three phases over the same images, in one process, one after another:
 *  1. latency: Oblik on one worker, one image at a time: per-stage milliseconds, the time spent inside the
 *     models, and the pipeline's own overhead over them; once with denormal floats flushed to zero (the
 *     default, OBLIK_ENGINE_DENORMALS_AS_ZERO) and once without, so both speed-ups come from one run;
 *  2. throughput: Oblik's worker pool on every core, kept busy: images per second;
 *  3. the peer: @vladmandic/human (node-wasm, faceres descriptor), one image at a time (its wasm backend has
 *     no threads in Node), decoding included as in ours; then again with its antispoof and liveness models,
 *     so that it does the same work as Oblik's pipeline.
 * `speedup_vs_human` compares per-image latency on one core each; `throughput_speedup_vs_human` compares what
 * the whole machine does per second. The last line printed is one JSON object.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { FaceEngine } from '../src/biometrics/face-engine.js';
import { STAGES } from '../src/biometrics/pipeline.js';
import { loadConfig } from '../src/config/config.js';
import { benchArgs } from './lib/args.js';
import { listDataset } from './lib/dataset.js';
import { captureAll } from './lib/run-images.js';
import { startHumanPeer } from './peers/human-peer.js';

const WARMUP = 8;
const args = benchArgs();
const config = loadConfig(process.env);
const paths = listDataset(args.dataset, args.limit).map((i) => i.path);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? 0;
const round = (v: number) => Number(v.toFixed(2));

// 1. Latency on one core, with and without denormals flushed to zero.
async function latency(denormalsAsZero: boolean) {
  const single = await FaceEngine.start({ ...config.engine, threads: 1, denormalsAsZero });
  await captureAll(single, paths.slice(0, WARMUP), 1);
  const outcomes = await captureAll(single, paths, 1);
  await single.close();
  const timings = [...outcomes.values()].flatMap((o) => (o.timings ? [o.timings] : []));
  const totals = timings.map((t) => t.total);
  return { outcomes, timings, totals, msPerImage: mean(totals), modelMs: mean(timings.map((t) => t.inference)) };
}
const withoutDaz = await latency(false);
const { outcomes, timings, totals, msPerImage, modelMs } = await latency(true);
const stagesOf = (ts: typeof timings) => Object.fromEntries(STAGES.map((s) => [s, round(mean(ts.map((t) => t[s])))]));

// 2. Throughput on every core.
const pool = await FaceEngine.start(config.engine);
await captureAll(pool, paths.slice(0, WARMUP * pool.settings.threads));
const started = performance.now();
await captureAll(pool, paths);
const imagesPerS = paths.length / ((performance.now() - started) / 1000);
await pool.close();

// 3. The peer: as specified (descriptor only), and doing the same work as Oblik (with its liveness models).
const images = await Promise.all(paths.map((p) => readFile(p)));
async function timePeer(liveness: boolean): Promise<{ ms: number; found: number }> {
  const human = await startHumanPeer({ liveness });
  for (const img of images.slice(0, WARMUP)) await human.embed(img);
  let found = 0;
  const start = performance.now();
  for (const img of images) if (await human.embed(img)) found++;
  return { ms: (performance.now() - start) / images.length, found };
}
const peer = await timePeer(false);
const peerWithLiveness = await timePeer(true);
const humanMs = peer.ms;

const result = {
  dataset: args.dataset,
  images: paths.length,
  threads: config.engine.threads,
  denormals_as_zero: true,
  stages_ms: stagesOf(timings),
  model_ms_per_image: round(modelMs),
  pipeline_over_models: round(msPerImage / modelMs),
  ms_per_image: round(msPerImage),
  p50_ms: round(percentile(totals, 0.5)),
  p95_ms: round(percentile(totals, 0.95)),
  images_per_s: round(imagesPerS),
  faces_found: [...outcomes.values()].filter((o) => o.face).length,
  peer: {
    human: { ms_per_image: round(humanMs), images_per_s: round(1000 / humanMs), faces_found: peer.found },
    human_with_liveness: {
      ms_per_image: round(peerWithLiveness.ms),
      images_per_s: round(1000 / peerWithLiveness.ms),
      faces_found: peerWithLiveness.found,
    },
  },
  speedup_vs_human: round(humanMs / msPerImage),
  speedup_vs_human_with_liveness: round(peerWithLiveness.ms / msPerImage),
  throughput_speedup_vs_human: round(imagesPerS / (1000 / humanMs)),
  without_denormals_as_zero: {
    stages_ms: stagesOf(withoutDaz.timings),
    model_ms_per_image: round(withoutDaz.modelMs),
    ms_per_image: round(withoutDaz.msPerImage),
    p50_ms: round(percentile(withoutDaz.totals, 0.5)),
    p95_ms: round(percentile(withoutDaz.totals, 0.95)),
    speedup_vs_human: round(humanMs / withoutDaz.msPerImage),
  },
};
if (!args.json) {
  console.log(`Oblik, one core: ${result.ms_per_image} ms/image (p50 ${result.p50_ms}, p95 ${result.p95_ms})`);
  console.log(`  stages (ms): ${JSON.stringify(result.stages_ms)}`);
  console.log(`  models ${result.model_ms_per_image} ms; pipeline / models ${result.pipeline_over_models}×`);
  const off = result.without_denormals_as_zero;
  console.log(`Oblik, one core, denormals kept: ${off.ms_per_image} ms/image (p50 ${off.p50_ms}, p95 ${off.p95_ms})`);
  console.log(`  stages (ms): ${JSON.stringify(off.stages_ms)}; speed-up vs Human ${off.speedup_vs_human}×`);
  console.log(`Oblik, ${result.threads} threads: ${result.images_per_s} images/s`);
  console.log(`Human: ${result.peer.human.ms_per_image} ms/image, ${result.peer.human.images_per_s} images/s`);
  console.log(`Human with its liveness models: ${result.peer.human_with_liveness.ms_per_image} ms/image`);
  console.log(
    `speed-up vs Human: ${result.speedup_vs_human}× per image, ${result.throughput_speedup_vs_human}× per machine`,
  );
  console.log(
    `speed-up vs Human doing the same work (with liveness): ${result.speedup_vs_human_with_liveness}× per image`,
  );
}
console.log(JSON.stringify(result));
