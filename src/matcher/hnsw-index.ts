import { Index, MetricKind, ScalarKind } from 'usearch';
import { assertThat } from '../errors/app-error.js';
import { ExactIndex } from './exact-index.js';
import { TopHits } from './scoring.js';
import type { Hit, SearchOptions, VectorIndex } from './vector-index.js';

/** How the approximate index is built and searched (README, Configuration: the figures behind each default). */
export interface HnswSettings {
  /** Below this many templates every search is exact; at or above it the graph answers. Measured by bench:index. */
  readonly exactBelow: number;
  /** Graph degree (usearch `connectivity`, HNSW's M). */
  readonly connectivity: number;
  /** Breadth of the search while inserting (HNSW's efConstruction). */
  readonly expansionAdd: number;
  /** Breadth of the search while querying (HNSW's ef). */
  readonly expansionSearch: number;
  /** Graph candidates taken per query before exact re-scoring; widened while filters leave fewer than k. */
  readonly candidates: number;
  /** How the graph stores its own copy of the vectors; the decision always uses the exact floats. */
  readonly quantization: 'f32' | 'f16' | 'i8';
  /** Threads for building the graph from a batch of new templates. */
  readonly buildThreads: number;
}

export const DEFAULT_HNSW: HnswSettings = {
  exactBelow: 5000,
  connectivity: 16,
  expansionAdd: 128,
  expansionSearch: 96,
  candidates: 64,
  quantization: 'f32',
  buildThreads: 1,
};

const SCALARS = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 } as const;
const SCALAR_BYTES = { f32: 4, f16: 2, i8: 1 } as const;
/** Templates inserted into the graph per native call when a batch is flushed (bounds the copy it needs). */
const FLUSH_CHUNK = 8192;

/**
 * An approximate 1:N index: a usearch HNSW graph proposes candidates and each candidate owner is re-scored
 * exactly against their stored float templates, so every score a decision sees is exact; only which owners
 * are considered is approximate. The templates themselves live in an {@link ExactIndex}, which also answers
 * 1:1 and every search while the gallery is below `exactBelow` (a scan beats a graph there).
 *
 * New templates are queued and inserted into the graph in one multi-threaded batch at the next search, so
 * loading a large gallery costs one parallel build instead of a million single inserts.
 */
export class HnswIndex implements VectorIndex {
  private readonly exact: ExactIndex;
  private graph: Index | undefined;
  private readonly keyOf = new Map<string, number>();
  private readonly idOfKey = new Map<number, string>();
  private nextKey = 0;
  /** Added but not yet in the graph (or added before the graph existed). */
  private readonly pending = new Set<string>();

  constructor(
    readonly dim: number,
    private readonly settings: HnswSettings = DEFAULT_HNSW,
    initialCapacity = 1024,
  ) {
    this.exact = new ExactIndex(dim, initialCapacity);
  }

  get size(): number {
    return this.exact.size;
  }

  /** Templates the graph holds now (the rest are queued for the next search). */
  get graphSize(): number {
    return this.graph?.size() ?? 0;
  }

  add(id: string, owner: string, vector: Float32Array): void {
    this.exact.add(id, owner, vector);
    const key = this.nextKey++;
    this.keyOf.set(id, key);
    this.idOfKey.set(key, id);
    this.pending.add(id);
  }

  remove(id: string): boolean {
    if (!this.exact.remove(id)) return false;
    const key = this.keyOf.get(id)!;
    this.keyOf.delete(id);
    this.idOfKey.delete(key);
    if (!this.pending.delete(id)) this.graph!.remove(BigInt(key));
    return true;
  }

  removeOwner(owner: string): number {
    const ids = this.exact.idsOf(owner);
    for (const id of ids) this.remove(id);
    return ids.length;
  }

  has(id: string): boolean {
    return this.exact.has(id);
  }

  ids(): string[] {
    return this.exact.ids();
  }

  ownerOf(id: string): string | undefined {
    return this.exact.ownerOf(id);
  }

  scoreOwner(owner: string, query: Float32Array): { id: string; score: number } | undefined {
    return this.exact.scoreOwner(owner, query);
  }

  search(query: Float32Array, options: SearchOptions): Hit[] {
    if (this.exact.size < this.settings.exactBelow) return this.exact.search(query, options);
    const { k, minScore = Number.NEGATIVE_INFINITY, accept } = options;
    assertThat(Number.isInteger(k) && k >= 0, 'request.invalid', 'k must be a non-negative integer', { k });
    if (query.length !== this.dim) return this.exact.search(query, options); // raises the dimension error
    if (k === 0) return [];
    this.flush();
    const graph = this.graph!;
    const total = graph.size();
    const decided = new Map<string, boolean>();
    for (let wanted = Math.max(this.settings.candidates, k); ; wanted *= 4) {
      const found = graph.search(query, Math.min(wanted, total), 1);
      const top = new TopHits(k);
      const seen = new Set<string>();
      let kept = 0;
      for (let i = 0; i < found.keys.length; i++) {
        const id = this.idOfKey.get(Number(found.keys[i]));
        const owner = id === undefined ? undefined : this.exact.ownerOf(id);
        if (owner === undefined || seen.has(owner)) continue;
        seen.add(owner);
        let ok = decided.get(owner);
        if (ok === undefined && accept) decided.set(owner, (ok = accept(owner)));
        if (ok === false) continue;
        // The owner's best template, scored exactly: a template the graph did not propose still counts.
        const best = this.exact.scoreOwner(owner, query)!;
        if (!(best.score >= minScore)) continue;
        top.offer(owner, best.id, best.score);
        kept++;
      }
      // Enough owners survived the filters, or the graph has nothing more, or what is left scores too low.
      const lowest = found.distances.length ? 1 - found.distances[found.distances.length - 1]! : -1;
      if (kept >= k || found.keys.length < wanted || wanted >= total || lowest < minScore - 0.05) return top.sorted();
    }
  }

  /** Vector storage of both copies plus the graph's links (usearch does not report its own allocation). */
  memoryBytes(): number {
    const { connectivity, quantization } = this.settings;
    const capacity = this.graph?.capacity() ?? 0;
    return this.exact.memoryBytes() + capacity * (this.dim * SCALAR_BYTES[quantization] + connectivity * 2 * 4 + 16);
  }

  /** Inserts every queued template into the graph (building it first if needed); searches call this. */
  flush(): void {
    if (this.pending.size === 0) return;
    const { connectivity, expansionAdd, expansionSearch, quantization, buildThreads } = this.settings;
    this.graph ??= new Index({
      dimensions: this.dim,
      metric: MetricKind.IP,
      quantization: SCALARS[quantization],
      connectivity,
      expansion_add: expansionAdd,
      expansion_search: expansionSearch,
      multi: false,
    });
    const ids = [...this.pending];
    for (let start = 0; start < ids.length; start += FLUSH_CHUNK) {
      const chunk = ids.slice(start, start + FLUSH_CHUNK);
      const keys = new BigUint64Array(chunk.length);
      const vectors = new Float32Array(chunk.length * this.dim);
      chunk.forEach((id, i) => {
        keys[i] = BigInt(this.keyOf.get(id)!);
        vectors.set(this.exact.vectorOf(id)!, i * this.dim);
      });
      this.graph.add(keys, vectors, buildThreads);
    }
    this.pending.clear();
  }
}
