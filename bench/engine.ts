/**
 * Engine speed benchmark: npm run bench:engine -- --dataset DIR [--limit N] [--json]
 *
 * Runs the images through Oblik's worker pool on all cores and reports per-stage latency, the time spent inside
 * the models, and images per second; then runs the same images, in the same process, through @vladmandic/human
 * (node-wasm, faceres descriptor) as the peer baseline. The last line printed is one JSON object.
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

const WARMUP = 4;
const args = benchArgs();
const config = loadConfig(process.env);
const paths = listDataset(args.dataset, args.limit).map((i) => i.path);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const round = (v: number) => Number(v.toFixed(2));

// Oblik: warm every worker, then time the whole set through the pool.
const engine = await FaceEngine.start(config.engine);
await captureAll(engine, paths.slice(0, WARMUP * engine.settings.threads));
const started = performance.now();
const outcomes = await captureAll(engine, paths);
const wallS = (performance.now() - started) / 1000;
await engine.close();

const timings = [...outcomes.values()].flatMap((o) => (o.timings ? [o.timings] : []));
const stages = Object.fromEntries(STAGES.map((s) => [s, round(mean(timings.map((t) => t[s])))]));
const msPerImage = mean(timings.map((t) => t.total));
const modelMs = mean(timings.map((t) => t.inference));

// The peer: one image at a time (its wasm backend has no threads in Node), decode included as in ours.
const human = await startHumanPeer();
const images = await Promise.all(paths.map((p) => readFile(p)));
for (const img of images.slice(0, WARMUP)) await human.embed(img);
let humanFound = 0;
const humanStart = performance.now();
for (const img of images) if (await human.embed(img)) humanFound++;
const humanMs = (performance.now() - humanStart) / images.length;

const result = {
  dataset: args.dataset,
  images: paths.length,
  threads: config.engine.threads,
  stages_ms: stages,
  model_ms_per_image: round(modelMs),
  pipeline_over_models: round(msPerImage / modelMs),
  ms_per_image: round(msPerImage),
  images_per_s: round(paths.length / wallS),
  faces_found: timings.length,
  peer: { human: { ms_per_image: round(humanMs), images_per_s: round(1000 / humanMs), faces_found: humanFound } },
  speedup_vs_human: round(humanMs / msPerImage),
};
if (!args.json) {
  console.log(
    `Oblik: ${result.ms_per_image} ms/image on one core, ${result.images_per_s} images/s on ${result.threads} threads`,
  );
  console.log(
    `  stages (ms): ${JSON.stringify(stages)}; models ${result.model_ms_per_image} ms (pipeline/models ${result.pipeline_over_models}×)`,
  );
  console.log(`Human: ${result.peer.human.ms_per_image} ms/image, ${result.peer.human.images_per_s} images/s`);
  console.log(`speed-up vs Human: ${result.speedup_vs_human}×`);
}
console.log(JSON.stringify(result));
