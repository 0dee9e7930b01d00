import { ExactIndex } from './exact-index.js';
import { compareHits } from './scoring.js';
import type { Hit, SearchOptions, VectorIndex } from './vector-index.js';

/** A stored template as the matcher indexes it. */
export interface IndexedTemplate {
  templateId: string;
  personId: string;
  segment: string;
  modelPack: string;
  vector: Float32Array;
}

/** Builds the index for one (segment, model pack); receives the dimension of the first template added. */
export type IndexFactory = (dim: number) => VectorIndex;

interface Shard {
  readonly segment: string;
  readonly modelPack: string;
  readonly index: VectorIndex;
}

/**
 * All enrolled templates in memory, one {@link VectorIndex} per (segment, model pack): segments are searched
 * only when asked for, and templates of different model packs live in unrelated spaces, so they never meet in
 * one index. Synchronous and free of I/O; the services load it from the store and keep it in step.
 * @example
 * const matcher = new Matcher();
 * matcher.add({ templateId: 't1', personId: 'p1', segment: 'telecom', modelPack: 'arcface@1', vector });
 * matcher.verify('p1', 'telecom', 'arcface@1', probe); // { templateId: 't1', score: 0.83 }
 * matcher.identify(['telecom'], 'arcface@1', probe, { k: 5, minScore: 0.5 });
 */
export class Matcher {
  // segment -> model pack -> shard
  private readonly shards = new Map<string, Map<string, Shard>>();
  private readonly shardOf = new Map<string, Shard>();
  // Arrays, not Sets: a person has a few templates, and there may be millions of people.
  private readonly templatesOf = new Map<string, string[]>();

  constructor(private readonly factory: IndexFactory = (dim) => new ExactIndex(dim)) {}

  /** Indexes a template; throws if its id is already indexed or its dimension differs from its index's. */
  add(t: IndexedTemplate): void {
    if (this.shardOf.has(t.templateId)) throw new Error(`template ${t.templateId} is already indexed`);
    let packs = this.shards.get(t.segment);
    if (!packs) this.shards.set(t.segment, (packs = new Map<string, Shard>()));
    let shard = packs.get(t.modelPack);
    if (!shard) {
      shard = { segment: t.segment, modelPack: t.modelPack, index: this.factory(t.vector.length) };
      packs.set(t.modelPack, shard);
    }
    shard.index.add(t.templateId, t.personId, t.vector);
    this.shardOf.set(t.templateId, shard);
    const held = this.templatesOf.get(t.personId);
    if (held) held.push(t.templateId);
    else this.templatesOf.set(t.personId, [t.templateId]);
  }

  /** Forgets one template; false if it was not indexed. */
  remove(templateId: string): boolean {
    const shard = this.shardOf.get(templateId);
    if (!shard) return false;
    const personId = shard.index.ownerOf(templateId)!;
    shard.index.remove(templateId);
    this.shardOf.delete(templateId);
    const held = this.templatesOf.get(personId)!;
    held.splice(held.indexOf(templateId), 1);
    if (held.length === 0) this.templatesOf.delete(personId);
    // Drop an emptied index so its buffer is freed; the next template of that key builds a fresh one.
    if (shard.index.size === 0) {
      const packs = this.shards.get(shard.segment)!;
      packs.delete(shard.modelPack);
      if (packs.size === 0) this.shards.delete(shard.segment);
    }
    return true;
  }

  /** Forgets every template of a person in every segment and model pack; returns how many there were. */
  removePerson(personId: string): number {
    const ids = [...(this.templatesOf.get(personId) ?? [])];
    for (const id of ids) this.remove(id);
    return ids.length;
  }

  /** 1:1: the person's best template in that segment and model pack against the probe, if they have one. */
  verify(
    personId: string,
    segment: string,
    modelPack: string,
    query: Float32Array,
  ): { templateId: string; score: number } | undefined {
    const best = this.shards.get(segment)?.get(modelPack)?.index.scoreOwner(personId, query);
    return best && { templateId: best.id, score: best.score };
  }

  /**
   * 1:N over the given segments: each segment's top k, merged with one hit per person (their best), re-sorted
   * and cut to k. Hit.id is the templateId and Hit.owner the personId. Merging per-segment top-k lists is
   * exact: a person outside a segment's top k is beaten there by k others, so also overall.
   */
  identify(segments: readonly string[], modelPack: string, query: Float32Array, options: SearchOptions): Hit[] {
    return this.identifyEach(
      [...new Set(segments)].map((segment) => ({ segment, query })),
      modelPack,
      options,
    );
  }

  /**
   * 1:N with a query per segment (each segment's templates live in their own transformed space, so the probe is
   * transformed per segment); merged as in {@link identify}.
   */
  identifyEach(
    queries: readonly { readonly segment: string; readonly query: Float32Array }[],
    modelPack: string,
    options: SearchOptions,
  ): Hit[] {
    const best = new Map<string, Hit>();
    for (const { segment, query } of queries) {
      const index = this.shards.get(segment)?.get(modelPack)?.index;
      for (const hit of index?.search(query, options) ?? []) {
        const held = best.get(hit.owner);
        if (!held || compareHits(hit, held) < 0) best.set(hit.owner, hit);
      }
    }
    return [...best.values()].sort(compareHits).slice(0, options.k);
  }

  /**
   * 1:N limited to a group of persons (a venue's access list, a school's pupils): only the members' templates
   * are compared, each member's best, so the search (and its threshold, from {@link sizeOfGroup}) is the
   * group's and never a wider gallery's. Exact: every member template in the queried galleries is scored.
   */
  identifyInGroup(
    queries: readonly { readonly segment: string; readonly query: Float32Array }[],
    modelPack: string,
    members: Iterable<string>,
    options: SearchOptions,
  ): Hit[] {
    const hits: Hit[] = [];
    for (const owner of new Set(members)) {
      let best: Hit | undefined;
      for (const { segment, query } of queries) {
        const scored = this.shards.get(segment)?.get(modelPack)?.index.scoreOwner(owner, query);
        const hit = scored && { id: scored.id, owner, score: scored.score };
        if (hit && (!best || compareHits(hit, best) < 0)) best = hit;
      }
      if (best && best.score >= (options.minScore ?? -Infinity)) hits.push(best);
    }
    return hits.sort(compareHits).slice(0, options.k);
  }

  /** Templates the group's members hold in these galleries (the group's gallery size, for its threshold). */
  sizeOfGroup(segments: readonly string[], members: Iterable<string>): number {
    const wanted = new Set(segments);
    let total = 0;
    for (const owner of new Set(members)) {
      for (const id of this.templatesOf.get(owner) ?? []) if (wanted.has(this.shardOf.get(id)!.segment)) total++;
    }
    return total;
  }

  /** Lets every index finish deferred work (after a bulk load), so that no search pays for it. */
  flush(): void {
    for (const packs of this.shards.values()) for (const shard of packs.values()) shard.index.flush?.();
  }

  /** The segments (galleries) holding at least one template. */
  segments(): string[] {
    return [...this.shards.keys()];
  }

  /** Whether a template is indexed. */
  has(templateId: string): boolean {
    return this.shardOf.has(templateId);
  }

  /** Number of templates, in one segment or in all. */
  size(segment?: string): number {
    let total = 0;
    for (const [name, packs] of this.shards) {
      if (segment !== undefined && name !== segment) continue;
      for (const shard of packs.values()) total += shard.index.size;
    }
    return total;
  }

  /** Every indexed template id, for consistency checks against the store. */
  templateIds(): Set<string> {
    return new Set(this.shardOf.keys());
  }

  /** One row per index: its key, template count and vector storage bytes. */
  stats(): { segment: string; modelPack: string; templates: number; bytes: number }[] {
    return [...this.shards.values()].flatMap((packs) =>
      [...packs.values()].map(({ segment, modelPack, index }) => ({
        segment,
        modelPack,
        templates: index.size,
        bytes: index.memoryBytes(),
      })),
    );
  }
}
