/**
 * Matcher speed and memory benchmark:
 *   npm run bench:matcher -- --n 100000,1000000 [--dim 512] [--queries Q] [--k 10] [--json]
 *   (or: npx tsx bench/matcher.ts ...)
 *
 * Builds an ExactIndex of N templates, one per person, and reports the build time, 1:1 latency (scoreOwner)
 * in microseconds, 1:N latency (search, with minScore 0.5 and without) in milliseconds, and memory: vector
 * bytes, bytes per template, process RSS and V8 heap growth. The vectors are SYNTHETIC random unit vectors:
 * an exact scan costs the same whatever the vectors hold, so real faces would not change these figures. Each
 * probe is a stored vector mixed with as much random noise (cosine about 0.71 to its source), so the
 * thresholded search has one true mate to find. Q defaults to 200 probes up to N = 200k and 50 above.
 *
 * With several N, each runs in its own child process so that memory figures do not mix, and the table shows
 * them side by side with the 1:N latency ratio to the first N. With --json the only output is one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ExactIndex } from '../src/matcher/exact-index.js';

const CHUNK = 4096;
const MIN_SCORE = 0.5;

const { values } = parseArgs({
  options: {
    n: { type: 'string' },
    dim: { type: 'string', default: '512' },
    queries: { type: 'string' },
    k: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});
const sizes = (values.n ?? '').split(',').filter(Boolean).map(Number);
const dim = Number(values.dim);
const k = Number(values.k);
if (sizes.length === 0 || ![...sizes, dim, k].every((v) => Number.isInteger(v) && v > 0)) {
  console.error('usage: --n N[,N...] [--dim 512] [--queries Q] [--k 10] [--json]');
  process.exit(2);
}

// Memory figures need a settled heap; --expose-gc cannot be passed through npx tsx, so switch it on here.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const round = (v: number, digits = 2) => Number(v.toFixed(digits));
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? 0;
const latency = (xs: number[], scale: number) => ({
  p50: round(percentile(xs, 0.5) * scale, 3),
  p99: round(percentile(xs, 0.99) * scale, 3),
});

/** Fills `out` with `rows` random unit vectors; xorshift32 straight into the buffer, so generation stays cheap. */
function randomUnitRows(out: Float32Array, rows: number, state: { s: number }): void {
  let s = state.s;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const x = (s >>> 0) / 2147483648 - 1;
      out[o + i] = x;
      norm += x * x;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < dim; i++) out[o + i]! *= inv;
  }
  state.s = s;
}

interface Result {
  n: number;
  dim: number;
  k: number;
  queries: number;
  vectors: 'synthetic random unit vectors';
  generate_s: number;
  build_s: number;
  verify_us: { p50: number; p99: number };
  identify_ms: { p50: number; p99: number };
  identify_min_score_ms: { p50: number; p99: number };
  min_score: number;
  mate_found_at_min_score: number;
  vector_bytes: number;
  vector_bytes_per_template: number;
  rss_bytes: number;
  rss_delta_bytes: number;
  rss_delta_bytes_per_template: number;
  heap_delta_bytes: number;
  heap_delta_bytes_per_template: number;
}

function measure(n: number): Result {
  const queries = values.queries === undefined ? (n <= 200_000 ? 200 : 50) : Number(values.queries);
  gc();
  const before = process.memoryUsage();
  // Pre-sized, as a start-up load that knows its row count would do: no doubling copies, no slack.
  const index = new ExactIndex(dim, n);
  const state = { s: 0x9e3779b9 };
  const chunk = new Float32Array(CHUNK * dim);
  const sources: { owner: string; vector: Float32Array }[] = [];
  const sourceRows = new Set(Array.from({ length: queries }, (_, i) => Math.floor(((i + 0.5) * n) / queries)));
  let generateMs = 0;
  let buildMs = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const rows = Math.min(CHUNK, n - start);
    let t = performance.now();
    randomUnitRows(chunk, rows, state);
    // Ids arrive as strings from the store, so making them is not part of the build.
    const ids = Array.from({ length: rows }, (_, r) => `t${start + r}`);
    const owners = Array.from({ length: rows }, (_, r) => `p${start + r}`);
    generateMs += performance.now() - t;
    t = performance.now();
    for (let r = 0; r < rows; r++) index.add(ids[r]!, owners[r]!, chunk.subarray(r * dim, (r + 1) * dim));
    buildMs += performance.now() - t;
    for (let r = 0; r < rows; r++) {
      if (sourceRows.has(start + r))
        sources.push({ owner: `p${start + r}`, vector: chunk.slice(r * dim, (r + 1) * dim) });
    }
  }
  gc();
  const after = process.memoryUsage();

  const noise = new Float32Array(queries * dim);
  randomUnitRows(noise, queries, state);
  const probes = sources.map(({ owner, vector }, q) => {
    const v = vector.map((x, i) => x + noise[q * dim + i]!);
    const norm = Math.hypot(...v);
    return { owner, vector: v.map((x) => x / norm) };
  });

  // 1:1 takes about a microsecond, so run many calls (cycling over the probes) for a stable distribution.
  const verifyUs: number[] = [];
  for (let i = 0; i < 20_000 + 2_000; i++) {
    const p = probes[i % probes.length]!;
    const t = performance.now();
    index.scoreOwner(p.owner, p.vector);
    if (i >= 2_000) verifyUs.push(performance.now() - t);
  }

  const identifyMs: number[] = [];
  const thresholdMs: number[] = [];
  let mates = 0;
  for (const p of probes.slice(0, 3)) index.search(p.vector, { k }); // warm-up: let V8 optimise the scan
  for (const p of probes) {
    let t = performance.now();
    const hits = index.search(p.vector, { k, minScore: MIN_SCORE });
    thresholdMs.push(performance.now() - t);
    if (hits[0]?.owner === p.owner) mates++;
    t = performance.now();
    index.search(p.vector, { k });
    identifyMs.push(performance.now() - t);
  }

  return {
    n,
    dim,
    k,
    queries,
    vectors: 'synthetic random unit vectors',
    generate_s: round(generateMs / 1000),
    build_s: round(buildMs / 1000),
    verify_us: latency(verifyUs, 1000),
    identify_ms: latency(identifyMs, 1),
    identify_min_score_ms: latency(thresholdMs, 1),
    min_score: MIN_SCORE,
    mate_found_at_min_score: round(mates / probes.length, 3),
    vector_bytes: index.memoryBytes(),
    vector_bytes_per_template: round(index.memoryBytes() / n, 1),
    rss_bytes: after.rss,
    rss_delta_bytes: after.rss - before.rss,
    rss_delta_bytes_per_template: round((after.rss - before.rss) / n, 1),
    heap_delta_bytes: after.heapUsed - before.heapUsed,
    heap_delta_bytes_per_template: round((after.heapUsed - before.heapUsed) / n, 1),
  };
}

/** Runs one N in a fresh process (same loader flags, so tsx still compiles) and reads its JSON line. */
function measureApart(n: number): Result {
  const args = ['--n', String(n), '--dim', String(dim), '--k', String(k), '--json'];
  if (values.queries !== undefined) args.push('--queries', values.queries);
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`bench for n=${n} exited with ${child.status ?? child.signal}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Result;
}

const results = sizes.length === 1 ? [measure(sizes[0]!)] : sizes.map(measureApart);
const first = results[0]!;
const ratios = results.map((r) => ({
  n: r.n,
  n_ratio: round(r.n / first.n, 2),
  identify_p50_ratio: round(r.identify_ms.p50 / first.identify_ms.p50, 2),
  identify_min_score_p50_ratio: round(r.identify_min_score_ms.p50 / first.identify_min_score_ms.p50, 2),
}));

if (values.json) {
  console.log(JSON.stringify(results.length === 1 ? first : { results, ratios }));
} else {
  const mb = (b: number) => `${round(b / 2 ** 20, 1)} MiB`;
  const rows: [string, (r: Result, i: number) => string][] = [
    ['templates (1 per person)', (r) => r.n.toLocaleString('en')],
    ['probes', (r) => String(r.queries)],
    ['generate vectors', (r) => `${r.generate_s} s`],
    ['build (add all)', (r) => `${r.build_s} s`],
    ['1:1 scoreOwner p50 / p99', (r) => `${r.verify_us.p50} / ${r.verify_us.p99} µs`],
    [`1:N top-${k} p50 / p99`, (r) => `${r.identify_ms.p50} / ${r.identify_ms.p99} ms`],
    [
      `1:N top-${k} minScore ${MIN_SCORE} p50 / p99`,
      (r) => `${r.identify_min_score_ms.p50} / ${r.identify_min_score_ms.p99} ms`,
    ],
    [`mate ranked first at ${MIN_SCORE}`, (r) => `${round(r.mate_found_at_min_score * 100, 1)} %`],
    ['1:N p50 ratio to first N', (_, i) => `${ratios[i]!.identify_p50_ratio}x (N ${ratios[i]!.n_ratio}x)`],
    ['vector storage', (r) => `${mb(r.vector_bytes)} (${r.vector_bytes_per_template} B/template)`],
    ['RSS after build', (r) => mb(r.rss_bytes)],
    ['RSS growth', (r) => `${mb(r.rss_delta_bytes)} (${r.rss_delta_bytes_per_template} B/template)`],
    ['V8 heap growth', (r) => `${mb(r.heap_delta_bytes)} (${r.heap_delta_bytes_per_template} B/template)`],
  ];
  const cells = rows.map(([label, cell]) => [label, ...results.map(cell)]);
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  console.log(`ExactIndex, dim ${dim}, synthetic random unit vectors (exact-scan cost does not depend on content)`);
  for (const row of cells)
    console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}
