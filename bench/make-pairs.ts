/**
 * Writes an LFW-format pairs.txt for a dataset laid out as DIR/<identity>/<identity>_NNNN.jpg:
 *   npm run bench:make-pairs -- --dataset DIR [--folds 10] [--per-fold 300] [--seed 1] > pairs.txt
 * As in LFW's View 2, the folds have disjoint identities, and each holds `per-fold` matched and `per-fold`
 * mismatched pairs. Deterministic for a given seed.
 */
import { basename } from 'node:path';
import { benchArgs } from './lib/args.js';
import { listDataset } from './lib/dataset.js';

const args = benchArgs('folds', 'per-fold', 'seed');
const folds = Number(args.extra['folds'] ?? 10);
const perFold = Number(args.extra['per-fold'] ?? 300);
let state = Number(args.extra['seed'] ?? 1) >>> 0;
// mulberry32: a small, well-known seeded generator, so the same seed always gives the same file.
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

const byId = new Map<string, number[]>();
for (const img of listDataset(args.dataset, args.limit)) {
  const n = Number(/_(\d+)\.\w+$/.exec(basename(img.path))?.[1]);
  if (Number.isFinite(n)) byId.set(img.identity, [...(byId.get(img.identity) ?? []), n]);
}
const ids = [...byId.keys()];
for (let i = ids.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [ids[i], ids[j]] = [ids[j]!, ids[i]!];
}
const lines = [`${folds}\t${perFold}`];
for (let f = 0; f < folds; f++) {
  const foldIds = ids.filter((_, i) => i % folds === f);
  const multi = foldIds.filter((id) => byId.get(id)!.length >= 2);
  const seen = new Set<string>();
  for (let k = 0; k < perFold;) {
    const id = pick(multi);
    const a = pick(byId.get(id)!),
      b = pick(byId.get(id)!);
    const key = `${id}:${Math.min(a, b)}:${Math.max(a, b)}`;
    if (a === b || seen.has(key)) continue;
    seen.add(key);
    lines.push(`${id}\t${Math.min(a, b)}\t${Math.max(a, b)}`);
    k++;
  }
  for (let k = 0; k < perFold;) {
    const p = pick(foldIds),
      q = pick(foldIds);
    const a = pick(byId.get(p)!),
      b = pick(byId.get(q)!);
    const key = [`${p}:${a}`, `${q}:${b}`].sort().join('|');
    if (p === q || seen.has(key)) continue;
    seen.add(key);
    lines.push(`${p}\t${a}\t${q}\t${b}`);
    k++;
  }
}
console.log(lines.join('\n'));
