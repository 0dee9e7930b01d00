/**
 * Gate benchmark: npm run bench:gate -- --dataset DIR [--limit N] [--gallery 300000,1000000] [--templates 1,3]
 *   [--gates 50] [--period-ms 2000] [--seconds 20] [--margin M] [--json]
 *
 * An open-loop load of `gates` turnstiles, each one pass every `period-ms`, against a gallery of synthetic
 * templates (random unit vectors) with real lfw-dev riders planted among them: per rider its first 1 or 3
 * images are enrolled, the rest are mated probes; every 5th identity is never enrolled (its images are
 * impostor probes). Each pass is what a gate decides: the engine's capture of the probe, the 1:N search of
 * the registry's Matcher (whatever index it holds: the exact scan today, the approximate index when it
 * lands), the gallery-size threshold from the model pack's calibration, and "never the wrong person" (the
 * margin over the runner-up, `gateMatch`). Not included: the store transaction of the pass (its audit record,
 * the pass and charge rows), timed per call by bench:registry and bench:telecom.
 *
 * Reported per gallery size and templates per rider: decision latency p50/p99 from each pass's scheduled
 * arrival (so queueing counts), the same divided by the engine's bare capture p50/p99 measured in this run,
 * passes/s sustained, genuine passes refused (ambiguous, no_match) and passes opened for the wrong rider.
 * LFW photos are not live captures, so liveness and quality are measured but not enforced here.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { FaceEngine } from '../src/biometrics/face-engine.js';
import { loadConfig } from '../src/config/config.js';
import { thresholdForGallery } from '../src/matcher/gallery-threshold.js';
import { Matcher } from '../src/matcher/matcher.js';
import { gateMatch } from '../src/services/gates/gate-decision.js';
import { benchArgs } from './lib/args.js';
import { listDataset } from './lib/dataset.js';

const HOLD_OUT_EVERY = 5;
const CANDIDATE_POOL = 200;
const SEGMENT = 'bench';

const args = benchArgs('gallery', 'templates', 'gates', 'period-ms', 'seconds', 'margin');
const config = loadConfig(process.env);
const list = (v: string | undefined, def: number[]) => (v ? v.split(',').map(Number) : def);
const galleries = list(args.extra['gallery'], [300_000]);
const templateCounts = list(args.extra['templates'], [1, 3]);
const gates = Number(args.extra['gates'] ?? 50);
const periodMs = Number(args.extra['period-ms'] ?? 2000);
const seconds = Number(args.extra['seconds'] ?? 20);
const margin = Number(args.extra['margin'] ?? config.gates.margin);
const policy = { enforceQuality: false, requireLiveness: false, livenessThreshold: 0, minLivenessContext: 0 };

const engine = await FaceEngine.start(config.engine);
const capture = async (path: string) => (await engine.capture(await readFile(path), policy)).template;

// Riders: identities with at least 4 images (3 to enrol, 1 or more to probe); every 5th is held out.
const byIdentity = new Map<string, string[]>();
for (const img of listDataset(args.dataset, args.limit)) {
  byIdentity.set(img.identity, [...(byIdentity.get(img.identity) ?? []), img.path]);
}
const riders = [...byIdentity].filter(([, paths]) => paths.length >= 4);
const enrolled = riders.filter((_, k) => k % HOLD_OUT_EVERY !== HOLD_OUT_EVERY - 1);
const heldOut = riders.filter((_, k) => k % HOLD_OUT_EVERY === HOLD_OUT_EVERY - 1);
const templates = new Map<string, Float32Array[]>();
let modelPack = '';
for (const [identity, paths] of enrolled) {
  const vectors: Float32Array[] = [];
  for (const path of paths.slice(0, 3)) {
    try {
      const t = await capture(path);
      modelPack = t.modelPack;
      vectors.push(t.vector);
    } catch {
      // An enrolment photo without a usable face is skipped, as an enrolment office would retake it.
    }
  }
  if (vectors.length > 0) templates.set(identity, vectors);
}
const probes = [
  ...enrolled.flatMap(([identity, paths]) => paths.slice(3).map((path) => ({ identity, path, mated: true }))),
  ...heldOut.flatMap(([identity, paths]) => paths.map((path) => ({ identity, path, mated: false }))),
];
// A fixed shuffle, so a short run still mixes riders and impostors.
for (let i = probes.length - 1, seed = 7; i > 0; i--) {
  seed = (seed * 1103515245 + 12345) >>> 0;
  const j = seed % (i + 1);
  [probes[i], probes[j]] = [probes[j]!, probes[i]!];
}
const dim = [...templates.values()][0]![0]!.length;

// The engine's bare capture, one at a time, in this run: the denominator of the latency ratio.
const bare: number[] = [];
for (const p of probes.slice(0, 60)) {
  const t0 = performance.now();
  await capture(p.path).catch(() => undefined);
  bare.push(performance.now() - t0);
}

/** Seeded random unit vectors (mulberry32 + Box-Muller): the synthetic part of the gallery. */
function* unitVectors(seed: number) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (;;) {
    const v = new Float32Array(dim);
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      v[i] = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
      norm += v[i]! * v[i]!;
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < dim; i++) v[i] = v[i]! / norm;
    yield v;
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

const results = [];
for (const size of galleries) {
  const matcher = new Matcher();
  const buildStart = performance.now();
  const gen = unitVectors(size);
  let planted = 0;
  for (const [identity, vectors] of templates) {
    for (const [i, vector] of vectors.entries()) {
      matcher.add({ templateId: `${identity}#${i}`, personId: identity, segment: SEGMENT, modelPack, vector });
      planted++;
    }
  }
  for (let i = 0; matcher.size() < size; i++) {
    const vector = gen.next().value as Float32Array;
    matcher.add({ templateId: `syn${i}`, personId: `syn${i}`, segment: SEGMENT, modelPack, vector });
  }
  const buildMs = performance.now() - buildStart;
  const calibration = engine.modelPack.calibration;
  const floor = config.engine.matchThreshold;
  const threshold = calibration
    ? thresholdForGallery(calibration, size, config.registry.identifyFalseCandidates, floor)
    : floor;

  for (const perRider of templateCounts) {
    // One template per rider: hide the 2nd and 3rd from the search (the same gallery, fewer mates' templates).
    const hidden = (owner: string, id: string) => perRider === 1 && templates.has(owner) && !id.endsWith('#0');
    const latencies: number[] = [];
    const outcome = { opened: 0, wrong: 0, ambiguous: 0, noMatch: 0, impostorOpened: 0, unreadable: 0 };
    const total = Math.floor((seconds * 1000) / periodMs) * gates;
    const start = performance.now();
    let k = 0;
    const passes: Promise<void>[] = [];
    for (let round = 0; round * periodMs < seconds * 1000; round++) {
      for (let g = 0; g < gates; g++) {
        const at = start + round * periodMs + (g * periodMs) / gates;
        const probe = probes[k++ % probes.length]!;
        passes.push(
          (async () => {
            const wait = at - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            let vector: Float32Array;
            try {
              vector = (await capture(probe.path)).vector;
            } catch {
              outcome.unreadable++;
              latencies.push(performance.now() - at);
              return;
            }
            const hits = matcher
              .identify([SEGMENT], modelPack, vector, { k: CANDIDATE_POOL })
              .filter((h) => !hidden(h.owner, h.id));
            const best = hits[0];
            const candidates = best && best.score >= threshold ? [{ personId: best.owner, score: best.score }] : [];
            const second = hits.find((h) => h.owner !== best?.owner);
            const decision = gateMatch({ candidates, threshold, runnerUpScore: second?.score ?? null }, margin);
            latencies.push(performance.now() - at);
            if (decision.match) {
              if (!probe.mated) outcome.impostorOpened++;
              else if (decision.personId === probe.identity) outcome.opened++;
              else outcome.wrong++;
            } else if (probe.mated) {
              if (decision.reason === 'ambiguous') outcome.ambiguous++;
              else outcome.noMatch++;
            }
          })(),
        );
      }
    }
    await Promise.all(passes);
    const elapsed = (performance.now() - start) / 1000;
    const mated = outcome.opened + outcome.wrong + outcome.ambiguous + outcome.noMatch;
    results.push({
      gallery: size,
      templatesPerRider: perRider,
      planted,
      buildSeconds: Math.round(buildMs / 100) / 10,
      threshold: Math.round(threshold * 1e4) / 1e4,
      margin,
      passes: total,
      passesPerSecond: Math.round((latencies.length / elapsed) * 10) / 10,
      decisionMs: { p50: Math.round(quantile(latencies, 0.5)), p99: Math.round(quantile(latencies, 0.99)) },
      bareCaptureMs: { p50: Math.round(quantile(bare, 0.5)), p99: Math.round(quantile(bare, 0.99)) },
      ratio: {
        p50: Math.round((quantile(latencies, 0.5) / quantile(bare, 0.5)) * 100) / 100,
        p99: Math.round((quantile(latencies, 0.99) / quantile(bare, 0.99)) * 100) / 100,
      },
      genuine: mated,
      refusedGenuine: { ambiguous: outcome.ambiguous, noMatch: outcome.noMatch },
      refusedGenuineRate: Math.round(((outcome.ambiguous + outcome.noMatch) / Math.max(1, mated)) * 1e4) / 1e4,
      wrongRider: outcome.wrong,
      impostorOpened: outcome.impostorOpened,
      unreadable: outcome.unreadable,
    });
    console.error(JSON.stringify(results.at(-1)));
  }
}
await engine.close();

if (args.json) console.log(JSON.stringify({ riders: templates.size, probes: probes.length, results }, null, 2));
else {
  console.log(`riders enrolled ${templates.size}, probes ${probes.length}, gates ${gates}, a pass per ${periodMs} ms`);
  console.log(
    'gallery | tpl/rider | decision p50/p99 ms | ÷ capture p50/p99 | passes/s | refused genuine | wrong | impostor opened',
  );
  for (const r of results) {
    console.log(
      `${r.gallery} | ${r.templatesPerRider} | ${r.decisionMs.p50}/${r.decisionMs.p99} | ${r.ratio.p50}/${r.ratio.p99} | ` +
        `${r.passesPerSecond} | ${r.refusedGenuine.ambiguous + r.refusedGenuine.noMatch}/${r.genuine} ` +
        `(ambiguous ${r.refusedGenuine.ambiguous}, no_match ${r.refusedGenuine.noMatch}) | ${r.wrongRider} | ${r.impostorOpened}`,
    );
  }
}
