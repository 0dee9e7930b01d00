/**
 * MRZ and portrait benchmark: npm run bench:mrz -- [--n 200] [--seed 1] [--degradations a,b] [--pairs 200]
 *   [--workers 1]
 *
 * 1. Read rate. `--n` synthetic documents (half TD3 passports, half TD1 cards; random names, numbers and
 *    dates; portraits from lfw-dev) are rendered with the OCR-B MRZ, then each is degraded every way
 *    (test/documents/degrade.ts) and read by the MRZ image reader. Per degradation: read correctly,
 *    refused as unreadable, no MRZ found, and false accepts (a read that passed every check but differs
 *    from the truth in any field: must be 0 or reported), with the time per read (decode, find, OCR, parse).
 * 2. Portrait vs live face 1:1. For `--pairs` lfw-dev identities with two or more images, a passport is
 *    rendered with image 1 as its portrait and compared with image 2 as the live face (genuine), and with the
 *    next identity's image 2 (impostor), on clean documents and photographed ones (perspective + JPEG).
 *    Scores are reported as distributions, with the accept rates at the engine's 1:1 threshold.
 * The last line printed is one JSON object.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FaceEngine } from '../src/biometrics/face-engine.js';
import { loadConfig } from '../src/config/config.js';
import { MrzImageReader } from '../src/documents/mrz-reader.js';
import { parseMrz, type MrzDocument } from '../src/documents/mrz.js';
import { OcrPool } from '../src/documents/ocr-pool.js';
import { PortraitMatcher } from '../src/documents/portrait.js';
import { AppError } from '../src/errors/app-error.js';
import { facePath } from '../test/datasets.js';
import { degrade, DEGRADATIONS, type Degradation } from '../test/documents/degrade.js';
import { assertOcrBFont, renderDocument, renderPassport } from '../test/documents/document-image.js';
import { randomFields, seeded } from '../test/documents/mrz-builder.js';
import { listDataset } from './lib/dataset.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    degradations: { type: 'string' },
    pairs: { type: 'string', default: '200' },
    workers: { type: 'string', default: '1' },
  },
});
assertOcrBFont();
const n = Number(values.n);
const pairCount = Number(values.pairs);
const kinds = (values.degradations?.split(',') ?? DEGRADATIONS) as Degradation[];
const today = new Date();
const config = loadConfig(process.env);
const round = (v: number, d = 1) => Number(v.toFixed(d));
const pct = (k: number, of: number) => round((100 * k) / Math.max(1, of), 2);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN;

// Faces for portraits: every lfw-dev identity with two or more images, in a fixed order.
const byIdentity = new Map<string, string[]>();
for (const img of listDataset(facePath('lfw-dev')))
  byIdentity.set(img.identity, [...(byIdentity.get(img.identity) ?? []), img.path]);
const identities = [...byIdentity.values()].filter((paths) => paths.length >= 2);

// 1. Read rate per degradation.
interface Tally {
  read: number;
  unreadable: number;
  unconfirmed: number;
  notFound: number;
  falseAccepts: number;
  other: number;
  ms: number[];
  passes: number;
  mismatched: string[];
}
const tallies = new Map<Degradation, Tally>(
  kinds.map((k) => [
    k,
    {
      read: 0,
      unreadable: 0,
      unconfirmed: 0,
      notFound: 0,
      falseAccepts: 0,
      other: 0,
      ms: [],
      passes: 0,
      mismatched: [],
    },
  ]),
);
const ocrSettings = { ...config.documents.ocr, workers: Number(values.workers) };
const [primary, second] = await Promise.all([OcrPool.start(ocrSettings, 'legacy'), OcrPool.start(ocrSettings, 'lstm')]);
const reader = new MrzImageReader({ primary, second }, config.engine.intake);
const rand = seeded(Number(values.seed));
const changed = (a: MrzDocument, b: MrzDocument) =>
  (Object.keys(a) as (keyof MrzDocument)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));

let renderMs = 0;
for (let i = 0; i < n; i++) {
  const fields = randomFields(rand, i % 2 ? 'TD1' : 'TD3', today);
  const face = await readFile(identities[i % identities.length]![0]!);
  const t0 = performance.now();
  const doc = await renderDocument(fields, face);
  renderMs += performance.now() - t0;
  const truth = parseMrz(doc.lines, today);
  // One read at a time, so that the time per read is a latency, not a queue.
  for (const kind of kinds) {
    {
      const image = await degrade(doc.image, kind, seeded(Number(values.seed) * 1000 + i * 17 + kind.length));
      const tally = tallies.get(kind)!;
      const start = performance.now();
      try {
        const got = await reader.read(image, today);
        tally.passes += got.passes;
        const diff = changed(got.document, truth);
        if (diff.length === 0) tally.read++;
        else {
          tally.falseAccepts++;
          tally.mismatched.push(
            `${fields.format}#${i}: ${diff.join(',')} (read ${got.document.lines.join('/')}, printed ${doc.lines.join('/')})`,
          );
        }
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        if (e.code === 'document.unreadable' && e.data?.['reason'] === 'unconfirmed') tally.unconfirmed++;
        else if (e.code === 'document.unreadable') tally.unreadable++;
        else if (e.code === 'document.mrz_not_found') tally.notFound++;
        else tally.other++;
      } finally {
        tally.ms.push(performance.now() - start);
      }
    }
  }
  if ((i + 1) % 20 === 0) console.error(`  ${i + 1}/${n} documents`);
}
await Promise.all([primary.close(), second.close()]);

const readRate = kinds.map((kind) => {
  const t = tallies.get(kind)!;
  return {
    degradation: kind,
    documents: n,
    readPct: pct(t.read, n),
    unreadablePct: pct(t.unreadable, n),
    unconfirmedPct: pct(t.unconfirmed, n),
    mrzNotFoundPct: pct(t.notFound, n),
    falseAccepts: t.falseAccepts,
    otherErrors: t.other,
    msPerRead: {
      mean: round(t.ms.reduce((a, b) => a + b, 0) / t.ms.length),
      p50: round(quantile(t.ms, 0.5)),
      p95: round(quantile(t.ms, 0.95)),
    },
    ocrPassesPerRead: round(t.passes / Math.max(1, t.read + t.falseAccepts), 2),
    mismatched: t.mismatched.slice(0, 10),
  };
});
console.log(
  '\nMRZ read rate (%s documents per degradation, half TD3, half TD1; render %s ms/doc)',
  n,
  round(renderMs / n),
);
console.table(
  readRate.map((r) => ({
    degradation: r.degradation,
    'read %': r.readPct,
    'unreadable %': r.unreadablePct,
    'unconfirmed %': r.unconfirmedPct,
    'no MRZ %': r.mrzNotFoundPct,
    'false accepts': r.falseAccepts,
    'ms/read p50': r.msPerRead.p50,
    'ms/read p95': r.msPerRead.p95,
  })),
);
for (const r of readRate)
  if (r.mismatched.length) console.log(`false accepts (${r.degradation}): ${r.mismatched.join('; ')}`);

// 2. Portrait vs live face.
const engine = await FaceEngine.start(config.engine);
const portraits = new PortraitMatcher(engine);
const threshold = engine.settings.matchThreshold;
const scores: Record<'clean' | 'photo', { genuine: number[]; impostor: number[]; noPortrait: number }> = {
  clean: { genuine: [], impostor: [], noPortrait: 0 },
  photo: { genuine: [], impostor: [], noPortrait: 0 },
};
let liveRefused = 0;
const pairRand = seeded(Number(values.seed) + 7);
const chosen = identities.slice(0, Math.min(pairCount + 1, identities.length));
const live = await Promise.all(
  chosen.map(async (paths) => {
    try {
      return (await engine.capture(await readFile(paths[1]!), { requireLiveness: false })).template;
    } catch {
      liveRefused++;
      return undefined;
    }
  }),
);
for (let i = 0; i < chosen.length - 1; i++) {
  const doc = await renderPassport(randomFields(pairRand, 'TD3', today), await readFile(chosen[i]![0]!));
  const photo = await degrade(await degrade(doc.image, 'perspective', pairRand), 'jpeg', () => 0.9);
  for (const [kind, image] of [
    ['clean', doc.image],
    ['photo', photo],
  ] as const) {
    for (const [side, template] of [
      ['genuine', live[i]],
      ['impostor', live[i + 1]],
    ] as const) {
      if (!template) continue;
      try {
        scores[kind][side].push((await portraits.compare(image, template)).score);
      } catch (e) {
        // LFW photos sometimes hold a second face, which the printed portrait then holds too.
        if (!(e instanceof AppError) || !['document.portrait_not_found', 'face.multiple'].includes(e.code)) throw e;
        if (side === 'genuine') scores[kind].noPortrait++;
      }
    }
  }
}
await engine.close();
const distribution = (xs: number[]) => ({
  n: xs.length,
  mean: round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length), 3),
  p01: round(quantile(xs, 0.01), 3),
  p05: round(quantile(xs, 0.05), 3),
  p50: round(quantile(xs, 0.5), 3),
  p95: round(quantile(xs, 0.95), 3),
  p99: round(quantile(xs, 0.99), 3),
  max: round(Math.max(...xs), 3),
  acceptedPct: pct(xs.filter((s) => s >= threshold).length, xs.length),
});
const portrait = Object.fromEntries(
  Object.entries(scores).map(([kind, s]) => [
    kind,
    { genuine: distribution(s.genuine), impostor: distribution(s.impostor), portraitNotFound: s.noPortrait },
  ]),
);
console.log(
  `\nPortrait vs live face, 1:1 threshold ${threshold} (${liveRefused} live faces refused by the quality gate)`,
);
console.table(
  Object.entries(portrait).flatMap(([kind, p]) =>
    (['genuine', 'impostor'] as const).map((side) => ({ documents: kind, pairs: side, ...p[side] })),
  ),
);
console.log(
  JSON.stringify({
    today: today.toISOString().slice(0, 10),
    readRate,
    portrait: { threshold, liveRefused, ...portrait },
  }),
);
