import { describe, expect, it } from 'vitest';
import { dot } from '../biometrics/template.js';
import { AppError } from '../errors/app-error.js';
import { bruteForce, normalise, unitVectors, type Entry } from '../../test/vectors.js';
import { DEFAULT_HNSW, HnswIndex } from './hnsw-index.js';

const dim = 64;

/** A noisy copy of a stored template: what a second capture of the same face looks like to the index. */
function mateOf(vector: Float32Array, noise: () => Float32Array): Float32Array {
  const n = noise();
  return normalise(vector.map((x, i) => x + 0.6 * n[i]!));
}

/** 4000 templates of 3000 owners, searched through the graph (the switch point set below the gallery). */
function populated(settings: Partial<typeof DEFAULT_HNSW> = {}) {
  const gen = unitVectors(7, dim);
  const index = new HnswIndex(dim, { ...DEFAULT_HNSW, exactBelow: 1000, ...settings });
  const entries = new Map<string, Entry>();
  for (let i = 0; i < 4000; i++) {
    const e = { id: `t${i}`, owner: `p${i % 3000}`, vector: gen.next() };
    index.add(e.id, e.owner, e.vector);
    entries.set(e.id, e);
  }
  return { gen, index, entries };
}

describe('HnswIndex', () => {
  it('finds the mate of nearly every probe, with exact scores and one hit per owner', () => {
    const { gen, index, entries } = populated();
    const stored = [...entries.values()];
    let found = 0;
    for (let q = 0; q < 200; q++) {
      const mate = stored[(q * 19) % stored.length]!;
      const probe = mateOf(mate.vector, gen.next);
      const hits = index.search(probe, { k: 5 });
      const expected = bruteForce(entries.values(), probe, { k: 5 });
      if (hits[0]?.owner === expected[0]!.owner) found++;
      for (const hit of hits) expect(hit.score).toBeCloseTo(dot(entries.get(hit.id)!.vector, probe), 5);
      expect(new Set(hits.map((h) => h.owner)).size).toBe(hits.length);
    }
    expect(index.graphSize).toBe(4000);
    expect(found).toBeGreaterThanOrEqual(198);
  });

  it('answers exactly below the switch point, without building a graph', () => {
    const gen = unitVectors(3, dim);
    const index = new HnswIndex(dim, { ...DEFAULT_HNSW, exactBelow: 100 });
    const entries: Entry[] = [];
    for (let i = 0; i < 99; i++) {
      const e = { id: `t${i}`, owner: `p${i}`, vector: gen.next() };
      index.add(e.id, e.owner, e.vector);
      entries.push(e);
    }
    const query = gen.next();
    const ids = (hits: { id: string }[]) => hits.map((h) => h.id);
    expect(ids(index.search(query, { k: 10 }))).toEqual(ids(bruteForce(entries, query, { k: 10 })));
    expect(index.graphSize).toBe(0);
  });

  it('never returns a removed template or owner, nor one the filter refuses, and widens past refused owners', () => {
    const { gen, index, entries } = populated();
    const target = entries.get('t2500')!;
    const probe = mateOf(target.vector, gen.next);
    expect(index.search(probe, { k: 1 })[0]!.owner).toBe('p2500');

    // The filter refuses almost everyone: the search widens until it has k accepted owners.
    const accepted = (owner: string) => Number(owner.slice(1)) % 100 === 1;
    const hits = index.search(probe, { k: 3, accept: accepted });
    expect(hits.length).toBe(3);
    expect(hits.every((h) => accepted(h.owner))).toBe(true);

    expect(index.removeOwner('p2500')).toBe(1);
    expect(index.search(probe, { k: 50 }).some((h) => h.owner === 'p2500')).toBe(false);
    expect(index.remove('t2500')).toBe(false);
    // Owners p0 to p999 hold two templates: removing one keeps the other findable.
    const twice = [...entries.values()].filter((e) => e.owner === 'p7');
    expect(twice.length).toBe(2);
    index.remove(twice[0]!.id);
    const again = index.search(mateOf(twice[1]!.vector, gen.next), { k: 1 });
    expect(again[0]).toMatchObject({ owner: 'p7', id: twice[1]!.id });
    expect(index.size).toBe(3998);
  });

  it('inserts templates added after the build at the next search, and respects minScore', () => {
    const { gen, index } = populated();
    index.search(gen.next(), { k: 1 });
    const late = gen.next();
    index.add('late', 'p-late', late);
    expect(index.graphSize).toBe(4000);
    expect(index.search(late, { k: 1 })[0]).toMatchObject({ id: 'late', owner: 'p-late' });
    expect(index.graphSize).toBe(4001);
    expect(index.search(gen.next(), { k: 10, minScore: 0.99 })).toEqual([]);
    expect(index.search(late, { k: 10, minScore: 0.99 }).map((h) => h.id)).toEqual(['late']);
  });

  it('refuses a probe of the wrong dimension with template.model_mismatch', () => {
    const { index } = populated();
    expect(() => index.search(new Float32Array(dim + 1), { k: 1 })).toThrow(AppError);
  });
});
