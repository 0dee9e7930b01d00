import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { ExactIndex } from './exact-index.js';
import { Matcher } from './matcher.js';
import type { IndexedTemplate } from './matcher.js';

const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

const template = (overrides: Partial<IndexedTemplate> & Pick<IndexedTemplate, 'templateId'>): IndexedTemplate => ({
  personId: 'p1',
  segment: 'telecom',
  modelPack: 'face@1',
  vector: unit(1, 0, 0),
  ...overrides,
});

/** Three people in two segments and two model packs; alice is enrolled in both segments. */
function enrolled() {
  const matcher = new Matcher();
  for (const t of [
    template({ templateId: 'a-tel', personId: 'alice', vector: unit(1, 0.1, 0) }),
    template({ templateId: 'a-wifi', personId: 'alice', segment: 'wifi', vector: unit(1, 0, 0) }),
    template({ templateId: 'b-tel', personId: 'bob', vector: unit(0.6, 0.8, 0) }),
    template({ templateId: 'c-wifi', personId: 'carol', segment: 'wifi', vector: unit(0.8, 0, 0.6) }),
    template({ templateId: 'c-wifi-v2', personId: 'carol', segment: 'wifi', modelPack: 'face@2', vector: unit(1, 0) }),
  ])
    matcher.add(t);
  return matcher;
}

describe('Matcher', () => {
  it('keeps segments and model packs apart', () => {
    const matcher = enrolled();
    const probe = unit(1, 0, 0);
    expect(matcher.verify('alice', 'telecom', 'face@1', probe)?.templateId).toBe('a-tel');
    expect(matcher.verify('alice', 'wifi', 'face@1', probe)).toEqual({ templateId: 'a-wifi', score: 1 });
    expect(matcher.verify('carol', 'telecom', 'face@1', probe)).toBeUndefined();
    expect(matcher.verify('carol', 'wifi', 'face@2', unit(1, 0))).toEqual({ templateId: 'c-wifi-v2', score: 1 });
    expect(matcher.verify('alice', 'wifi', 'face@3', probe)).toBeUndefined();
    expect(matcher.identify(['telecom'], 'face@1', probe, { k: 10 }).map((h) => h.owner)).toEqual(['alice', 'bob']);
    expect(matcher.identify(['wifi'], 'face@2', unit(1, 0), { k: 10 }).map((h) => h.id)).toEqual(['c-wifi-v2']);
    expect(matcher.size()).toBe(5);
    expect(matcher.size('wifi')).toBe(3);
    expect(matcher.size('retail')).toBe(0);
    expect(matcher.stats().sort((a, b) => (a.segment + a.modelPack < b.segment + b.modelPack ? -1 : 1))).toMatchObject([
      { segment: 'telecom', modelPack: 'face@1', templates: 2 },
      { segment: 'wifi', modelPack: 'face@1', templates: 2 },
      { segment: 'wifi', modelPack: 'face@2', templates: 1 },
    ]);
  });

  it('searches a group only among its members, each by their best template, and counts only their templates', () => {
    const matcher = enrolled();
    const probe = unit(1, 0, 0);
    const queries = ['telecom', 'wifi'].map((segment) => ({ segment, query: probe }));
    // bob is the best non-member match in telecom; outside the group he is never a candidate.
    const inGroup = matcher.identifyInGroup(queries, 'face@1', ['carol', 'bob', 'carol'], { k: 10 });
    expect(inGroup.map((h) => [h.owner, h.id])).toEqual([
      ['carol', 'c-wifi'],
      ['bob', 'b-tel'],
    ]);
    expect(matcher.identifyInGroup(queries, 'face@1', ['carol', 'bob'], { k: 10, minScore: 0.7 })).toHaveLength(1);
    expect(matcher.identifyInGroup(queries, 'face@1', ['nobody'], { k: 10 })).toEqual([]);
    expect(matcher.identifyInGroup(queries.slice(0, 1), 'face@1', ['alice', 'carol'], { k: 1 })[0]!.id).toBe('a-tel');
    expect(matcher.sizeOfGroup(['telecom', 'wifi'], ['alice', 'carol'])).toBe(4);
    expect(matcher.sizeOfGroup(['telecom'], ['alice', 'carol', 'nobody'])).toBe(1);
  });

  it('merges segments into one sorted list with one hit per person, cut to k', () => {
    const matcher = enrolled();
    const hits = matcher.identify(['telecom', 'wifi', 'telecom'], 'face@1', unit(1, 0, 0), { k: 10 });
    expect(hits.map((h) => [h.owner, h.id])).toEqual([
      ['alice', 'a-wifi'],
      ['carol', 'c-wifi'],
      ['bob', 'b-tel'],
    ]);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    expect(matcher.identify(['telecom', 'wifi'], 'face@1', unit(1, 0, 0), { k: 2 }).map((h) => h.owner)).toEqual([
      'alice',
      'carol',
    ]);
    const consented = matcher.identify(['telecom', 'wifi'], 'face@1', unit(1, 0, 0), {
      k: 10,
      minScore: 0.7,
      accept: (p) => p !== 'alice',
    });
    expect(consented.map((h) => [h.owner, h.id])).toEqual([['carol', 'c-wifi']]);
    expect(consented[0]!.score).toBeCloseTo(0.8, 6);
  });

  it('removes templates and people everywhere, and its template ids follow', () => {
    const matcher = enrolled();
    expect(matcher.templateIds()).toEqual(new Set(['a-tel', 'a-wifi', 'b-tel', 'c-wifi', 'c-wifi-v2']));
    expect(matcher.remove('b-tel')).toBe(true);
    expect(matcher.remove('b-tel')).toBe(false);
    expect(matcher.verify('bob', 'telecom', 'face@1', unit(1, 0, 0))).toBeUndefined();
    expect(matcher.removePerson('carol')).toBe(2);
    expect(matcher.removePerson('carol')).toBe(0);
    expect(matcher.templateIds()).toEqual(new Set(['a-tel', 'a-wifi']));
    expect(matcher.identify(['telecom', 'wifi'], 'face@1', unit(1, 0, 0), { k: 10 }).map((h) => h.id)).toEqual([
      'a-wifi',
    ]);
    // The emptied face@2 index is gone; its key can be filled again from scratch.
    expect(matcher.stats().map((s) => s.modelPack)).not.toContain('face@2');
    matcher.add(
      template({
        templateId: 'c-wifi-v2',
        personId: 'carol',
        segment: 'wifi',
        modelPack: 'face@2',
        vector: unit(0, 1),
      }),
    );
    expect(matcher.verify('carol', 'wifi', 'face@2', unit(0, 1))?.score).toBeCloseTo(1, 6);
    expect(matcher.size()).toBe(3);
  });

  it('refuses a duplicate template id and a vector whose dimension differs from its index', () => {
    const matcher = enrolled();
    expect(() => matcher.add(template({ templateId: 'a-tel', segment: 'retail' }))).toThrow(/already/);
    expect(() => matcher.add(template({ templateId: 'x', vector: unit(1, 0) }))).toThrow(AppError);
    expect(() => matcher.verify('alice', 'telecom', 'face@1', unit(1, 0))).toThrow(AppError);
    expect(matcher.size()).toBe(5);
    expect(matcher.templateIds().has('x')).toBe(false);
  });

  it('builds each index through the factory with the dimension of its first template', () => {
    const dims: number[] = [];
    const matcher = new Matcher((dim) => (dims.push(dim), new ExactIndex(dim, 1)));
    matcher.add(template({ templateId: 't1', vector: unit(1, 0, 0) }));
    matcher.add(template({ templateId: 't2', personId: 'p2', vector: unit(0, 1, 0) }));
    matcher.add(template({ templateId: 't3', modelPack: 'face@2', vector: unit(1, 0) }));
    expect(dims).toEqual([3, 2]);
  });
});
