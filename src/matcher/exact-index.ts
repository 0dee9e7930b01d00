import { AppError, assertThat } from '../errors/app-error.js';
import { TopHits, dotAt } from './scoring.js';
import type { Hit, SearchOptions, VectorIndex } from './vector-index.js';

/**
 * An exact index: every search scores every template. Vectors sit row-major in one contiguous `Float32Array`
 * (off the V8 heap, one allocation however many templates), so a scan walks memory in order. Deleting moves
 * the last row into the hole, keeping rows dense and deletes O(1).
 * @example
 * const index = new ExactIndex(512);
 * index.add('template-1', 'person-1', vector);
 * index.search(query, { k: 10, minScore: 0.5 });
 */
export class ExactIndex implements VectorIndex {
  private data: Float32Array;
  private rows = 0;
  private readonly idAt: string[] = [];
  private readonly ownerAt: string[] = [];
  private readonly rowOf = new Map<string, number>();
  // An owner's rows: a bare row number while they have one template (the common case), an array beyond that.
  // With a million owners a Set (or even a one-element array) each costs tens of MB of heap and, measured,
  // about 0.6 s more per million adds in allocation and GC; indexOf on a tiny array is as fast as hashing.
  private readonly rowsOf = new Map<string, number | number[]>();

  /**
   * @param dim vector dimension
   * @param initialCapacity rows allocated up front; the buffer doubles when full, so a caller that knows its
   * size (loading a segment at start-up) avoids both the copies and the slack.
   */
  constructor(
    readonly dim: number,
    initialCapacity = 1024,
  ) {
    assertThat(Number.isInteger(dim) && dim > 0, 'request.invalid', 'dimension must be a positive integer', { dim });
    this.data = new Float32Array(Math.max(1, Math.ceil(initialCapacity)) * dim);
  }

  get size(): number {
    return this.rows;
  }

  add(id: string, owner: string, vector: Float32Array): void {
    this.checkDim(vector);
    if (this.rowOf.has(id)) throw new Error(`template ${id} is already in the index`);
    const row = this.rows;
    if ((row + 1) * this.dim > this.data.length) this.grow();
    this.data.set(vector, row * this.dim);
    this.idAt.push(id);
    this.ownerAt.push(owner);
    this.rowOf.set(id, row);
    const held = this.rowsOf.get(owner);
    if (held === undefined) this.rowsOf.set(owner, row);
    else if (typeof held === 'number') this.rowsOf.set(owner, [held, row]);
    else held.push(row);
    this.rows++;
  }

  remove(id: string): boolean {
    const row = this.rowOf.get(id);
    if (row === undefined) return false;
    const owner = this.ownerAt[row]!;
    const held = this.rowsOf.get(owner)!;
    if (typeof held === 'number') this.rowsOf.delete(owner);
    else {
      held.splice(held.indexOf(row), 1);
      if (held.length === 1) this.rowsOf.set(owner, held[0]!);
    }

    const last = this.rows - 1;
    if (row !== last) {
      const movedId = this.idAt[last]!;
      const movedOwner = this.ownerAt[last]!;
      this.data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
      this.idAt[row] = movedId;
      this.ownerAt[row] = movedOwner;
      this.rowOf.set(movedId, row);
      const movedRows = this.rowsOf.get(movedOwner)!;
      if (typeof movedRows === 'number') this.rowsOf.set(movedOwner, row);
      else movedRows[movedRows.indexOf(last)] = row;
    }
    this.idAt.pop();
    this.ownerAt.pop();
    this.rowOf.delete(id);
    this.rows = last;
    return true;
  }

  removeOwner(owner: string): number {
    // Collect ids first: each removal moves rows, so the row numbers go stale as we go.
    const ids = this.idsOf(owner);
    for (const id of ids) this.remove(id);
    return ids.length;
  }

  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  /** A snapshot, so the caller may remove while iterating it. */
  ids(): string[] {
    return this.idAt.slice();
  }

  /** The templates an owner holds (a fresh array). */
  idsOf(owner: string): string[] {
    const held = this.rowsOf.get(owner);
    if (held === undefined) return [];
    return typeof held === 'number' ? [this.idAt[held]!] : held.map((row) => this.idAt[row]!);
  }

  /** A view of the stored vector (not a copy: valid until the next add or remove). */
  vectorOf(id: string): Float32Array | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : this.data.subarray(row * this.dim, (row + 1) * this.dim);
  }

  ownerOf(id: string): string | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : this.ownerAt[row];
  }

  scoreOwner(owner: string, query: Float32Array): { id: string; score: number } | undefined {
    this.checkDim(query);
    const held = this.rowsOf.get(owner);
    if (held === undefined) return undefined;
    if (typeof held === 'number')
      return { id: this.idAt[held]!, score: dotAt(this.data, held * this.dim, query, this.dim) };
    let best: { id: string; score: number } | undefined;
    for (const row of held) {
      const score = dotAt(this.data, row * this.dim, query, this.dim);
      const id = this.idAt[row]!;
      if (!best || score > best.score || (score === best.score && id < best.id)) best = { id, score };
    }
    return best;
  }

  search(query: Float32Array, options: SearchOptions): Hit[] {
    this.checkDim(query);
    const { k, minScore = Number.NEGATIVE_INFINITY, accept } = options;
    assertThat(Number.isInteger(k) && k >= 0, 'request.invalid', 'k must be a non-negative integer', { k });
    if (k === 0 || this.rows === 0) return [];
    const top = new TopHits(k);
    // Each owner's consent is asked at most once per search, and only once it could enter the result.
    const decided = new Map<string, boolean>();
    const { data, dim, rows, idAt, ownerAt } = this;
    let floor = minScore;
    for (let row = 0, offset = 0; row < rows; row++, offset += dim) {
      const score = dotAt(data, offset, query, dim);
      // Almost every row stops here; `!(>=)` also drops NaN. Equal scores go on, for the tie-break by id.
      if (!(score >= floor)) continue;
      const owner = ownerAt[row]!;
      if (accept) {
        let ok = decided.get(owner);
        if (ok === undefined) decided.set(owner, (ok = accept(owner)));
        if (!ok) continue;
      }
      top.offer(owner, idAt[row]!, score);
      floor = Math.max(minScore, top.floor);
    }
    return top.sorted();
  }

  memoryBytes(): number {
    return this.data.byteLength;
  }

  private grow(): void {
    const next = new Float32Array(Math.max(this.data.length * 2, (this.rows + 1) * this.dim));
    next.set(this.data.subarray(0, this.rows * this.dim));
    this.data = next;
  }

  private checkDim(vector: Float32Array): void {
    // A plain check rather than assertThat: this runs on every 1:1 call and should not build its error data.
    if (vector.length !== this.dim) {
      throw new AppError('template.model_mismatch', 'vector dimension differs from the index', {
        expected: this.dim,
        actual: vector.length,
      });
    }
  }
}
