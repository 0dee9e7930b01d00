/**
 * Pure scoring code of the matcher: the dot product over one row of a packed buffer, and the bounded,
 * one-per-owner top-k that a 1:N search keeps while it scans.
 */
import type { Hit } from './vector-index.js';

/**
 * Dot product of `query` with the `dim` floats of `data` starting at `offset`; for L2-normalised vectors, their
 * cosine similarity.
 *
 * Not `dot` from `biometrics/template.ts`: that one sums into a single accumulator, whose loop-carried
 * dependency allows one add per float-add latency. Unrolling by 8 into 4 independent accumulators lets V8's
 * scalar code overlap the adds. Measured on Node 20 over a 100k x 512 scan: single accumulator 111-118 ms,
 * unrolled by 4 into 4 accumulators 75-77 ms, by 8 into 8 accumulators 68-70 ms, by 8 into 4 (this) 66-68 ms;
 * by 16 was no better. The summation order differs, so results may differ from `dot` in the last bits.
 * @example dotAt(rows, 3 * 512, query, 512) // score of row 3
 */
export function dotAt(data: Float32Array, offset: number, query: Float32Array, dim: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let i = 0;
  for (; i + 7 < dim; i += 8) {
    const p = offset + i;
    a0 += data[p]! * query[i]! + data[p + 4]! * query[i + 4]!;
    a1 += data[p + 1]! * query[i + 1]! + data[p + 5]! * query[i + 5]!;
    a2 += data[p + 2]! * query[i + 2]! + data[p + 6]! * query[i + 6]!;
    a3 += data[p + 3]! * query[i + 3]! + data[p + 7]! * query[i + 7]!;
  }
  for (; i < dim; i++) a0 += data[offset + i]! * query[i]!;
  return a0 + a1 + a2 + a3;
}

/** The result order: score descending, then id ascending, so equal scores still come out in a stable order. */
export function compareHits(a: Hit, b: Hit): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Whether (score, id) ranks strictly after (otherScore, otherId) in {@link compareHits} order. */
function ranksAfter(score: number, id: string, otherScore: number, otherId: string): boolean {
  return score < otherScore || (score === otherScore && id > otherId);
}

interface Slot {
  owner: string;
  id: string;
  score: number;
}

/**
 * The best `k` owners seen so far, each with its best template: a binary min-heap whose root is the hit that
 * would be dropped next, plus the heap position of every owner so a better template of an owner already held
 * replaces its entry instead of taking a second place.
 * @example
 * const top = new TopHits(10);
 * top.offer('person-1', 'template-1', 0.8);
 * top.sorted(); // [{ id: 'template-1', owner: 'person-1', score: 0.8 }]
 */
export class TopHits {
  private readonly heap: Slot[] = [];
  private readonly at = new Map<string, number>();

  constructor(readonly k: number) {}

  /** The score a new owner must reach to be considered; -Infinity while fewer than k are held. */
  get floor(): number {
    return this.heap.length < this.k ? Number.NEGATIVE_INFINITY : this.heap[0]!.score;
  }

  /** Considers one template of `owner`; keeps it if it beats the owner's current entry or the worst of k. */
  offer(owner: string, id: string, score: number): void {
    const heap = this.heap;
    const held = this.at.get(owner);
    if (held !== undefined) {
      const slot = heap[held]!;
      if (ranksAfter(slot.score, slot.id, score, id)) {
        slot.score = score;
        slot.id = id;
        this.down(held);
      }
      return;
    }
    if (heap.length < this.k) {
      heap.push({ owner, id, score });
      this.at.set(owner, heap.length - 1);
      this.up(heap.length - 1);
      return;
    }
    const worst = heap[0];
    if (worst === undefined || !ranksAfter(worst.score, worst.id, score, id)) return;
    this.at.delete(worst.owner);
    heap[0] = { owner, id, score };
    this.at.set(owner, 0);
    this.down(0);
  }

  /** The hits held, best first. */
  sorted(): Hit[] {
    return this.heap.map(({ id, owner, score }) => ({ id, owner, score })).sort(compareHits);
  }

  // The heap is ordered so that a parent ranks after (is worse than) its children.
  private up(i: number): void {
    const heap = this.heap;
    const slot = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!ranksAfter(slot.score, slot.id, p.score, p.id)) break;
      this.place(p, i);
      i = parent;
    }
    this.place(slot, i);
  }

  private down(i: number): void {
    const heap = this.heap;
    const slot = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heap.length) break;
      const right = heap[child + 1];
      if (right !== undefined && ranksAfter(right.score, right.id, heap[child]!.score, heap[child]!.id)) child++;
      const c = heap[child]!;
      if (!ranksAfter(c.score, c.id, slot.score, slot.id)) break;
      this.place(c, i);
      i = child;
    }
    this.place(slot, i);
  }

  private place(slot: Slot, i: number): void {
    this.heap[i] = slot;
    this.at.set(slot.owner, i);
  }
}
