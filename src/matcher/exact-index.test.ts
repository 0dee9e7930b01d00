import { describe, expect, it } from 'vitest';
import { dot } from '../biometrics/template.js';
import { AppError } from '../errors/app-error.js';
import { ExactIndex } from './exact-index.js';
import { TopHits, dotAt } from './scoring.js';
import { bruteForce, normalise, unitVectors, type Entry } from '../../test/vectors.js';
import type { Hit, SearchOptions } from './vector-index.js';

function expectSameHits(actual: Hit[], expected: Hit[]) {
  expect(actual.map((h) => [h.id, h.owner])).toEqual(expected.map((h) => [h.id, h.owner]));
  actual.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 5));
}

/** 600 templates of 250 owners (1 to 4 each), in a 32-dimensional index that starts with room for 8 rows. */
function populated(seed = 1) {
  const dim = 32;
  const gen = unitVectors(seed, dim);
  const index = new ExactIndex(dim, 8);
  const entries = new Map<string, Entry>();
  for (let i = 0; i < 600; i++) {
    const e = { id: `t${i}`, owner: `p${Math.floor(gen.uniform() * 250)}`, vector: gen.next() };
    index.add(e.id, e.owner, e.vector);
    entries.set(e.id, e);
  }
  return { dim, gen, index, entries };
}

describe('dotAt', () => {
  it('equals the plain dot product for dimensions that are and are not multiples of 8', () => {
    for (const dim of [1, 7, 8, 13, 512]) {
      const gen = unitVectors(dim, dim);
      const a = gen.next();
      const b = gen.next();
      const packed = new Float32Array(3 * dim);
      packed.set(a, 2 * dim);
      expect(dotAt(packed, 2 * dim, b, dim)).toBeCloseTo(dot(a, b), 6);
    }
  });
});

describe('TopHits', () => {
  it('keeps one entry per owner, its best, and drops the worst owner when full', () => {
    const top = new TopHits(2);
    top.offer('a', 'a1', 0.5);
    top.offer('b', 'b1', 0.6);
    top.offer('a', 'a2', 0.9);
    top.offer('a', 'a3', 0.7);
    top.offer('c', 'c1', 0.55);
    expect(top.sorted()).toEqual([
      { id: 'a2', owner: 'a', score: 0.9 },
      { id: 'b1', owner: 'b', score: 0.6 },
    ]);
    expect(top.floor).toBe(0.6);
  });
});

describe('ExactIndex', () => {
  it('returns what brute force returns, for several k, thresholds and a consent filter', () => {
    const { gen, index, entries } = populated();
    expect(index.size).toBe(600);
    const refused = (owner: string) => Number(owner.slice(1)) % 3 === 0;
    const cases: SearchOptions[] = [
      { k: 1 },
      { k: 10 },
      { k: 10, minScore: 0.3 },
      { k: 50, accept: (o) => !refused(o) },
      { k: 1000 },
      { k: 1000, minScore: 0.1, accept: (o) => !refused(o) },
    ];
    for (let q = 0; q < 10; q++) {
      const query = gen.next();
      for (const options of cases) {
        const hits = index.search(query, options);
        expectSameHits(hits, bruteForce(entries.values(), query, options));
        expect(new Set(hits.map((h) => h.owner)).size).toBe(hits.length);
      }
    }
    // k above the number of owners returns each owner once.
    expect(index.search(gen.next(), { k: 1000 }).length).toBe(new Set([...entries.values()].map((e) => e.owner)).size);
  });

  it('asks the consent filter only for owners that could enter the result, once each', () => {
    const { gen, index } = populated();
    // 250 owners; with k = 5 only the few that beat the running fifth-best are worth asking about.
    for (const minScore of [undefined, 0.4]) {
      const asked: string[] = [];
      index.search(gen.next(), { k: 5, minScore, accept: (o) => (asked.push(o), true) });
      expect(new Set(asked).size).toBe(asked.length);
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.length).toBeLessThan(80);
    }
  });

  it('breaks equal scores by template id and scores an owner by their best template', () => {
    const index = new ExactIndex(2);
    const v = normalise(Float32Array.of(1, 1));
    index.add('t-b', 'p2', v);
    index.add('t-a', 'p1', v);
    index.add('t-c', 'p1', normalise(Float32Array.of(1, 0)));
    expect(index.search(v, { k: 5 }).map((h) => h.id)).toEqual(['t-a', 't-b']);
    // At the cut, too: t-b came first, but t-a ranks before it.
    expect(index.search(v, { k: 1 }).map((h) => h.id)).toEqual(['t-a']);
    expect(index.scoreOwner('p1', Float32Array.of(1, 0))).toEqual({ id: 't-c', score: 1 });
    expect(index.scoreOwner('p3', v)).toBeUndefined();
    expect(index.search(v, { k: 0 })).toEqual([]);
  });

  it('never returns removed templates and keeps moved rows intact after swap-delete', () => {
    const { gen, index, entries } = populated(2);
    const removed = [...entries.keys()].filter((_, i) => i % 7 === 3);
    for (const id of removed) {
      expect(index.remove(id)).toBe(true);
      entries.delete(id);
    }
    expect(index.remove(removed[0]!)).toBe(false);
    expect(index.size).toBe(entries.size);
    expect(new Set(index.ids())).toEqual(new Set(entries.keys()));
    for (const id of removed) expect(index.has(id)).toBe(false);
    // Every surviving template, wherever swap-delete moved it, is still found by its own vector.
    for (const e of entries.values()) {
      const [hit] = index.search(e.vector, { k: 1, accept: (o) => o === e.owner });
      expect(hit?.id).toBe(e.id);
      expect(hit?.score).toBeCloseTo(1, 5);
      expect(index.ownerOf(e.id)).toBe(e.owner);
    }
    for (let q = 0; q < 5; q++) {
      const query = gen.next();
      expectSameHits(index.search(query, { k: 1000 }), bruteForce(entries.values(), query, { k: 1000 }));
    }
    // New templates reuse the freed rows; every owner's row list must still point at its own rows.
    for (let i = 0; i < 100; i++) {
      const e = { id: `n${i}`, owner: `q${i}`, vector: gen.next() };
      index.add(e.id, e.owner, e.vector);
      entries.set(e.id, e);
    }
    for (const e of entries.values()) {
      const best = index.scoreOwner(e.owner, e.vector);
      expect(best?.id).toBe(e.id);
      expect(best?.score).toBeCloseTo(1, 5);
    }
    for (const owner of new Set([...entries.values()].map((e) => e.owner))) index.removeOwner(owner);
    expect(index.size).toBe(0);
  });

  it('moves the last row into a removed middle row', () => {
    const gen = unitVectors(3, 16);
    const index = new ExactIndex(16, 2);
    const vectors = [gen.next(), gen.next(), gen.next()];
    vectors.forEach((v, i) => index.add(`t${i}`, `p${i}`, v));
    index.remove('t1');
    expect(index.ids()).toEqual(['t0', 't2']);
    expect(index.scoreOwner('p2', vectors[2]!)?.score).toBeCloseTo(1, 6);
    const hits = index.search(vectors[2]!, { k: 1 });
    expect(hits.map((h) => [h.id, h.owner])).toEqual([['t2', 'p2']]);
    expect(hits[0]!.score).toBeCloseTo(1, 6);
    expect(index.scoreOwner('p1', vectors[1]!)).toBeUndefined();
  });

  it('removes every template of an owner', () => {
    const { gen, index, entries } = populated(4);
    const counts = new Map<string, number>();
    for (const e of entries.values()) counts.set(e.owner, (counts.get(e.owner) ?? 0) + 1);
    const [owner, count] = [...counts].find(([, n]) => n >= 3)!;
    expect(index.removeOwner(owner)).toBe(count);
    expect(index.removeOwner(owner)).toBe(0);
    expect(index.size).toBe(600 - count);
    expect(index.scoreOwner(owner, gen.next())).toBeUndefined();
    expect(index.search(gen.next(), { k: 1000 }).some((h) => h.owner === owner)).toBe(false);
  });

  it('grows past its initial capacity without losing rows', () => {
    const gen = unitVectors(5, 8);
    const index = new ExactIndex(8, 1);
    const vectors = Array.from({ length: 100 }, () => gen.next());
    vectors.forEach((v, i) => index.add(`t${i}`, `p${i}`, v));
    expect(index.memoryBytes()).toBe(128 * 8 * 4);
    vectors.forEach((v, i) => expect(index.scoreOwner(`p${i}`, v)?.score).toBeCloseTo(1, 6));
  });

  it('refuses a duplicate id and vectors of another dimension', () => {
    const index = new ExactIndex(4);
    index.add('t1', 'p1', normalise(Float32Array.of(1, 2, 3, 4)));
    expect(() => index.add('t1', 'p2', normalise(Float32Array.of(4, 3, 2, 1)))).toThrow(/already/);
    for (const call of [
      () => index.add('t2', 'p2', Float32Array.of(1, 0, 0)),
      () => index.search(Float32Array.of(1, 0, 0, 0, 0), { k: 1 }),
      () => index.scoreOwner('p1', Float32Array.of(1)),
    ]) {
      expect(call).toThrow(AppError);
      expect(call).toThrow(expect.objectContaining({ code: 'template.model_mismatch' }));
    }
    expect(() => index.search(Float32Array.of(1, 0, 0, 0), { k: -1 })).toThrow(AppError);
    expect(index.size).toBe(1);
  });
});
