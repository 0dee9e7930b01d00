/**
 * The contract every in-memory template index meets: the exact scan ({@link ExactIndex}) and the approximate
 * graph ({@link HnswIndex}, re-scored exactly). Nothing here assumes a scan, so callers never learn which one
 * they hold.
 */

/** One candidate of a 1:N search: the owner's best-scoring template. */
export interface Hit {
  readonly id: string;
  readonly owner: string;
  readonly score: number;
}

/** What a 1:N search returns and which owners it may return. */
export interface SearchOptions {
  /** At most `k` hits, one per owner (the owner's best template). */
  readonly k: number;
  /** Only hits with `score >= minScore`. */
  readonly minScore?: number;
  /**
   * Owners failing it are skipped (the consent filter). It is applied before the top-k cut, so refused owners
   * never crowd out others. It may be called only for owners that could enter the result, at most once each.
   */
  readonly accept?: (owner: string) => boolean;
}

/** A set of L2-normalised templates of one dimension, each belonging to an owner, searchable by dot product. */
export interface VectorIndex {
  readonly dim: number;
  /** Number of templates held. */
  readonly size: number;
  /** Stores a copy of `vector`; throws if `id` is already held or the dimension differs. */
  add(id: string, owner: string, vector: Float32Array): void;
  /** Forgets one template; false if it was not held. */
  remove(id: string): boolean;
  /** Forgets every template of `owner`; returns how many there were. */
  removeOwner(owner: string): number;
  has(id: string): boolean;
  ids(): IterableIterator<string> | string[];
  ownerOf(id: string): string | undefined;
  /** 1:1: the owner's best-scoring template against the query, or undefined if the owner has none. */
  scoreOwner(owner: string, query: Float32Array): { id: string; score: number } | undefined;
  /** 1:N: sorted by score descending, ties by id ascending. */
  search(query: Float32Array, options: SearchOptions): Hit[];
  /** Approximate bytes held by vector storage (allocated, not just used). */
  memoryBytes(): number;
  /** Does now the work that adds deferred (building a graph), so the next search is not the one that pays. */
  flush?(): void;
}
