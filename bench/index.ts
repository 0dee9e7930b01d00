/**
 * 1:N index benchmark: npm run bench:index -- --dataset DIR [--limit N] [--sizes 100000,1000000]
 *   [--distractors DIR] [--bases N] [--switch 1000,2000,5000,10000,20000] [--json]
 *
 * Real templates: the first two images of each identity of DIR (lfw-dev, `--limit` identities); the first is
 * planted in the gallery as the mate, the second is the probe. Synthetic templates fill the gallery to each
 * size: each is half the sum of three real templates of single-image people (`--distractors`, default
 * lfw-dev-singletons, `--bases` of them) plus Gaussian noise of unit norm, normalised, so they score against
 * real faces and each other as impostors do rather than as uniform random directions. For every size, in the same run and on the same probes:
 *  - exact: Oblik's ExactIndex (the reference for recall);
 *  - usearch: Oblik's HnswIndex (usearch graph, candidates re-scored exactly), as the registry runs it;
 *  - hnswlib: hnswlib-node with the same M, efConstruction and ef, candidates re-scored exactly the same way;
 * reporting recall@1 against exact (same top-1 owner), the mate rate, p50/p99 per query, build time, load
 * time from disk and resident memory per template. `--switch` times exact against usearch on small galleries
 * to place OBLIK_INDEX_EXACT_BELOW. The last line printed is one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import hnswlib from 'hnswlib-node';
import { Index, MetricKind } from 'usearch';
import { FaceEngine } from '../src/biometrics/face-engine.js';
import { loadConfig } from '../src/config/config.js';
import { ExactIndex } from '../src/matcher/exact-index.js';
import { HnswIndex } from '../src/matcher/hnsw-index.js';
import type { VectorIndex } from '../src/matcher/vector-index.js';
import { benchArgs } from './lib/args.js';
import { listDataset } from './lib/dataset.js';
import { captureAll } from './lib/run-images.js';
import { normalise, unitVectors } from '../test/vectors.js';

const args = benchArgs('sizes', 'distractors', 'bases', 'switch');
const config = loadConfig(process.env);
const hnsw = config.registry.index.hnsw;
const sizes = (args.extra['sizes'] ?? '100000').split(',').map(Number);
const switchSizes = (args.extra['switch'] ?? '1000,2000,5000,10000,20000').split(',').map(Number);
const distractorDir = args.extra['distractors'] ?? join(args.dataset, '..', 'lfw-dev-singletons');
const bases = Number(args.extra['bases'] ?? 300);
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? 0;
const round = (v: number, d = 3) => Number(v.toFixed(d));
const log = (line: string) => !args.json && console.log(line);

// Real templates: mates and probes from DIR, bases for the synthetic gallery from the singletons.
const people = new Map<string, string[]>();
for (const i of listDataset(args.dataset, args.limit)) {
  const held = people.get(i.identity) ?? [];
  if (held.length < 2) people.set(i.identity, [...held, i.path]);
}
const basePaths = listDataset(distractorDir, bases).map((i) => i.path);
const engine = await FaceEngine.start(config.engine);
const outcomes = await captureAll(engine, [...[...people.values()].flat(), ...basePaths]);
await engine.close();
const templateOf = (p: string) => outcomes.get(p)?.face?.template;
const pairs = [...people.entries()].flatMap(([identity, [a, b]]) => {
  const mate = a && templateOf(a);
  const probe = b && templateOf(b);
  return mate && probe ? [{ identity, mate, probe }] : [];
});
const baseVectors = basePaths.flatMap((p) => templateOf(p) ?? []);
const dim = pairs[0]!.mate.length;

/** Deterministic synthetic templates, so every index and every size sees the same gallery. */
function synthetic(seed: number) {
  const gen = unitVectors(seed, dim);
  // Half of each base's weight and noise of unit norm: two that share a base score about 0.14, as impostors do.
  return () => {
    const v = gen.next();
    for (let b = 0; b < 3; b++) {
      const base = baseVectors[Math.floor(gen.uniform() * baseVectors.length)]!;
      for (let i = 0; i < dim; i++) v[i]! += 0.5 * base[i]!;
    }
    return normalise(v);
  };
}

/** The gallery of one size: every real mate, then synthetic templates up to `size`, as (id, owner, vector). */
function* gallery(size: number): Generator<[string, string, Float32Array]> {
  for (const p of pairs) yield [`real-${p.identity}`, p.identity, p.mate];
  const next = synthetic(size);
  for (let i = pairs.length; i < size; i++) yield [`syn-${i}`, `syn-${i}`, next()];
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

interface Measured {
  build_s: number;
  load_s?: number;
  bytes_per_template: number;
  p50_ms: number;
  p99_ms: number;
  recall_at_1: number;
  mate_at_1: number;
}

function timeQueries(top1: (q: Float32Array) => string | undefined) {
  const times: number[] = [];
  const owners: (string | undefined)[] = [];
  for (const p of pairs) {
    const t0 = performance.now();
    owners.push(top1(p.probe));
    times.push(performance.now() - t0);
  }
  return { owners, p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

function measure(
  build: () => { top1: (q: Float32Array) => string | undefined; load?: () => number; free: () => void },
  reference: (string | undefined)[] | undefined,
): { result: Measured; owners: (string | undefined)[] } {
  global.gc?.();
  const before = rssMb();
  const t0 = performance.now();
  const built = build();
  const buildS = (performance.now() - t0) / 1000;
  built.top1(pairs[0]!.probe); // warm-up (and any deferred work)
  const bytes = ((rssMb() - before) * 2 ** 20) / currentSize;
  const { owners, p50, p99 } = timeQueries(built.top1);
  const ref = reference ?? owners;
  const result: Measured = {
    build_s: round(buildS, 1),
    ...(built.load ? { load_s: round(built.load(), 2) } : {}),
    bytes_per_template: Math.round(bytes),
    p50_ms: round(p50),
    p99_ms: round(p99),
    recall_at_1: round(owners.filter((o, i) => o === ref[i]).length / owners.length, 4),
    mate_at_1: round(owners.filter((o, i) => o === pairs[i]!.identity).length / owners.length, 4),
  };
  built.free();
  return { result, owners };
}

const fill = (index: VectorIndex, size: number) => {
  for (const [id, owner, v] of gallery(size)) index.add(id, owner, v);
};
const workDir = mkdtempSync(join(tmpdir(), 'oblik-bench-index-'));
let currentSize = 0;
const results: Record<string, Record<string, Measured>> = {};
for (const size of sizes) {
  currentSize = size;
  log(`gallery ${size}: ${pairs.length} real mates, ${size - pairs.length} synthetic`);
  const exact = measure(() => {
    const index = new ExactIndex(dim, size);
    fill(index, size);
    return { top1: (q) => index.search(q, { k: 1 })[0]?.owner, free: () => undefined };
  }, undefined);
  log(`  exact   ${JSON.stringify(exact.result)}`);
  const usearch = measure(() => {
    const index = new HnswIndex(dim, { ...hnsw, exactBelow: 0 }, size);
    fill(index, size);
    index.flush();
    const file = join(workDir, `usearch-${size}.bin`);
    return {
      top1: (q) => index.search(q, { k: 1 })[0]?.owner,
      // The graph alone, as usearch stores it: what a restart would read back.
      load: () => {
        const graph = new Index({
          dimensions: dim,
          metric: MetricKind.IP,
          quantization: hnsw.quantization as never,
          connectivity: hnsw.connectivity,
          expansion_add: hnsw.expansionAdd,
          expansion_search: hnsw.expansionSearch,
          multi: false,
        });
        const saver = (index as unknown as { graph: Index }).graph;
        saver.save(file);
        const t0 = performance.now();
        graph.load(file);
        return (performance.now() - t0) / 1000;
      },
      free: () => rmSync(file, { force: true }),
    };
  }, exact.owners);
  log(`  usearch ${JSON.stringify(usearch.result)}`);
  const hnswlibRun = measure(() => {
    const index = new hnswlib.HierarchicalNSW('ip', dim);
    index.initIndex(size, hnsw.connectivity, hnsw.expansionAdd, 100);
    index.setEf(Math.max(hnsw.expansionSearch, hnsw.candidates));
    const owners: string[] = [];
    const vectors: Float32Array[] = [];
    for (const [, owner, v] of gallery(size)) {
      index.addPoint(Array.from(v), owners.length);
      owners.push(owner);
      vectors.push(v);
    }
    const file = join(workDir, `hnswlib-${size}.bin`);
    return {
      top1: (q) => {
        // The same exact re-scoring as HnswIndex: the best true score among the graph's candidates.
        const { neighbors } = index.searchKnn(Array.from(q), hnsw.candidates);
        let best = -2;
        let owner: string | undefined;
        for (const n of neighbors) {
          const v = vectors[n]!;
          let s = 0;
          for (let i = 0; i < dim; i++) s += v[i]! * q[i]!;
          if (s > best) [best, owner] = [s, owners[n]];
        }
        return owner;
      },
      load: () => {
        index.writeIndexSync(file);
        const other = new hnswlib.HierarchicalNSW('ip', dim);
        const t0 = performance.now();
        other.readIndexSync(file);
        return (performance.now() - t0) / 1000;
      },
      free: () => rmSync(file, { force: true }),
    };
  }, exact.owners);
  log(`  hnswlib ${JSON.stringify(hnswlibRun.result)}`);
  results[String(size)] = { exact: exact.result, usearch: usearch.result, hnswlib: hnswlibRun.result };
}

// The switch point: the smallest gallery where the graph's p50 beats the scan's.
const switchTimes = switchSizes.map((size) => {
  const exact = new ExactIndex(dim, size);
  const graph = new HnswIndex(dim, { ...hnsw, exactBelow: 0 }, size);
  fill(exact, size);
  fill(graph, size);
  graph.flush();
  const e = timeQueries((q) => exact.search(q, { k: 10 })[0]?.owner);
  const g = timeQueries((q) => graph.search(q, { k: 10 })[0]?.owner);
  return { size, exact_p50_ms: round(e.p50, 4), usearch_p50_ms: round(g.p50, 4) };
});
log(`switch point (k = 10): ${JSON.stringify(switchTimes)}`);
rmSync(workDir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    dataset: args.dataset,
    probes: pairs.length,
    bases: baseVectors.length,
    dim,
    settings: hnsw,
    results,
    switch: switchTimes,
  }),
);
