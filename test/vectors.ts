import { dot } from '../src/biometrics/template.js';
import type { Hit, SearchOptions } from '../src/matcher/vector-index.js';

/** Seeded random unit vectors: mulberry32 for uniforms, Box-Muller for normals, so directions are uniform. */
export function unitVectors(seed: number, dim: number) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const next = () => normalise(Float32Array.from({ length: dim }, normal));
  return { next, uniform };
}

export function normalise(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

export interface Entry {
  id: string;
  owner: string;
  vector: Float32Array;
}

/** The reference: score everything with the plain `dot`, keep each owner's best, sort, filter, cut. */
export function bruteForce(entries: Iterable<Entry>, query: Float32Array, o: SearchOptions): Hit[] {
  const best = new Map<string, Hit>();
  for (const e of entries) {
    if (o.accept && !o.accept(e.owner)) continue;
    const score = dot(e.vector, query);
    if (o.minScore !== undefined && score < o.minScore) continue;
    const held = best.get(e.owner);
    if (!held || score > held.score || (score === held.score && e.id < held.id))
      best.set(e.owner, { id: e.id, owner: e.owner, score });
  }
  return [...best.values()].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, o.k);
}
