import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 §2.1 (Certificate Transparency 2.0): SHA-256, leaf hash = H(0x00 ‖ leaf),
 * node hash = H(0x01 ‖ left ‖ right), and a tree of n leaves splits at the largest power of two below n.
 * Pure: no I/O, no clock.
 */
const HASH_BYTES = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}): the root of the empty tree, SHA-256 of nothing. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** H(0x00 ‖ leaf): the hash of one leaf's bytes. */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** H(0x01 ‖ left ‖ right): an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two strictly below n (n ≥ 2). Arithmetic, not bit operators: sizes may pass 2^31. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** Hashes per chunk of a level, once the level is that long: 128 KiB, so growing never copies much. */
const CHUNK = 4096;

/**
 * One level of complete-subtree hashes, packed (32 bytes each) in fixed chunks; a level's first chunk starts
 * small and doubles up to the chunk size, so small trees stay small and large ones carry little slack.
 */
class HashColumn {
  private chunks: Buffer[] = [Buffer.alloc(HASH_BYTES * 16)];
  length = 0;

  push(hash: Uint8Array): void {
    const chunk = Math.floor(this.length / CHUNK);
    const offset = (this.length % CHUNK) * HASH_BYTES;
    if (chunk === this.chunks.length) {
      this.chunks.push(Buffer.alloc(HASH_BYTES * CHUNK));
    } else if (offset >= this.chunks[chunk]!.length) {
      const grown = Buffer.alloc(Math.min(this.chunks[chunk]!.length * 2, HASH_BYTES * CHUNK));
      this.chunks[chunk]!.copy(grown);
      this.chunks[chunk] = grown;
    }
    this.chunks[chunk]!.set(hash, offset);
    this.length++;
  }

  /** A view (not a copy): valid until the column is truncated and written again. */
  at(i: number): Buffer {
    const offset = (i % CHUNK) * HASH_BYTES;
    return this.chunks[Math.floor(i / CHUNK)]!.subarray(offset, offset + HASH_BYTES);
  }

  truncate(length: number): void {
    this.length = length;
    this.chunks.length = Math.max(1, Math.ceil(length / CHUNK));
  }

  get bytes(): number {
    return this.chunks.reduce((sum, c) => sum + c.length, 0);
  }
}

/**
 * An append-only Merkle tree that answers for every size it has had. Level l keeps the hash of each complete,
 * aligned subtree of 2^l leaves, so memory is about 2 × 32 bytes per leaf, appending costs O(1) amortised, and
 * any subtree hash the RFC's recursion needs costs O(log n): a root, each node of an inclusion or consistency
 * proof.
 */
export class MerkleTree {
  private readonly levels: HashColumn[] = [new HashColumn()];

  get size(): number {
    return this.levels[0]!.length;
  }

  /** Appends a leaf hash (see {@link leafHash}), completing every subtree it closes. */
  append(hash: Uint8Array): void {
    if (hash.length !== HASH_BYTES) throw new RangeError('a leaf hash is 32 bytes');
    this.levels[0]!.push(hash);
    for (let level = 0; this.levels[level]!.length % 2 === 0; level++) {
      const column = this.levels[level]!;
      const n = column.length;
      if (!this.levels[level + 1]) this.levels.push(new HashColumn());
      this.levels[level + 1]!.push(nodeHash(column.at(n - 2), column.at(n - 1)));
    }
  }

  /** Forgets every leaf from `size` on (undoing appends whose transaction rolled back). */
  truncate(size: number): void {
    this.checkSize(size, 0);
    let count = size;
    for (const column of this.levels) {
      column.truncate(count);
      count = Math.floor(count / 2);
    }
  }

  /** Bytes held for hashes (every level, chunk slack included): about 64 per leaf. */
  memoryBytes(): number {
    return this.levels.reduce((sum, column) => sum + column.bytes, 0);
  }

  /** The hash of leaf `index`, as appended. */
  leafHash(index: number): Buffer {
    this.checkIndex(index, this.size);
    return Buffer.from(this.levels[0]!.at(index));
  }

  /** MTH(D[0:size]): the root of the tree as it was at `size` leaves. */
  root(size: number = this.size): Buffer {
    this.checkSize(size, 0);
    return size === 0 ? Buffer.from(EMPTY_ROOT) : Buffer.from(this.subtree(0, size));
  }

  /** PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, nearest sibling first. */
  inclusionProof(index: number, size: number = this.size): Buffer[] {
    this.checkSize(size, 1);
    this.checkIndex(index, size);
    const path: Buffer[] = [];
    let start = 0;
    let end = size;
    // Walking down from the root meets the siblings farthest first; the proof lists them nearest first.
    while (end - start > 1) {
      const k = splitPoint(end - start);
      if (index < start + k) {
        path.push(this.subtree(start + k, end));
        end = start + k;
      } else {
        path.push(this.subtree(start, start + k));
        start += k;
      }
    }
    return path.reverse().map((h) => Buffer.from(h));
  }

  /** PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true) of RFC 9162 §2.1.4.1; empty when m = n. */
  consistencyProof(m: number, n: number = this.size): Buffer[] {
    this.checkSize(n, 1);
    if (!Number.isSafeInteger(m) || m < 1 || m > n) throw new RangeError(`first size ${m} is not in 1..${n}`);
    const proof: Buffer[] = [];
    let start = 0;
    let end = n;
    let first = m;
    let complete = true; // SUBPROOF's b: is the subtree still the whole of the old tree?
    while (first !== end - start) {
      const k = splitPoint(end - start);
      if (first <= k) {
        proof.push(this.subtree(start + k, end));
        end = start + k;
      } else {
        proof.push(this.subtree(start, start + k));
        start += k;
        first -= k;
        complete = false;
      }
    }
    if (!complete) proof.push(this.subtree(start, end));
    return proof.reverse().map((h) => Buffer.from(h));
  }

  /** MTH(D[start:end]) for a subtree of the RFC's recursion (start aligned to the subtree's split points). */
  private subtree(start: number, end: number): Buffer {
    const n = end - start;
    if (isPowerOfTwo(n)) {
      let level = 0;
      for (let k = n; k > 1; k /= 2) level++;
      return this.levels[level]!.at(start / n);
    }
    const k = splitPoint(n);
    return nodeHash(this.subtree(start, start + k), this.subtree(start + k, end));
  }

  private checkSize(size: number, min: number): void {
    if (!Number.isSafeInteger(size) || size < min || size > this.size) {
      throw new RangeError(`tree size ${size} is not in ${min}..${this.size}`);
    }
  }

  private checkIndex(index: number, size: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new RangeError(`leaf index ${index} is not in 0..${size - 1}`);
    }
  }
}

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/**
 * RFC 9162 §2.1.3.2, step by step: does `path` prove that the leaf with hash `hash` is leaf `leafIndex` of
 * the tree of `treeSize` leaves whose root is `rootHash`?
 */
export function verifyInclusion(
  hash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  path: readonly Uint8Array[],
  rootHash: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0) return false;
  if (!allHashes([hash, rootHash, ...path])) return false;
  // 1. leaf_index ≥ tree_size fails.
  if (leafIndex >= treeSize) return false;
  // 2.–3.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = hash;
  // 4.
  for (const p of path) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!(odd(fn) || fn === 0)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  return sn === 0 && Buffer.from(r).equals(rootHash);
}

/**
 * RFC 9162 §2.1.4.2, step by step: does `proof` show that the tree of `second` leaves with root `secondHash`
 * extends the tree of `first` leaves with root `firstHash`? For 0 < first < second. The RFC's algorithm
 * starts at step 1 ("an empty path fails"); PROOF(n, D[n]) is empty by §2.1.4.1, so `first = second` holds
 * exactly when the proof is empty and the roots are equal.
 */
export function verifyConsistency(
  first: number,
  second: number,
  firstHash: Uint8Array,
  secondHash: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) return false;
  if (!allHashes([firstHash, secondHash, ...proof])) return false;
  if (first === second) return proof.length === 0 && Buffer.from(firstHash).equals(secondHash);
  // 1.
  if (proof.length === 0) return false;
  // 2.
  const path = isPowerOfTwo(first) ? [firstHash, ...proof] : [...proof];
  // 3.
  let fn = first - 1;
  let sn = second - 1;
  // 4.
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  // 6.
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!(odd(fn) || fn === 0)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 7.
  return Buffer.from(fr).equals(firstHash) && Buffer.from(sr).equals(secondHash) && sn === 0;
}

function allHashes(hashes: readonly Uint8Array[]): boolean {
  return hashes.every((h) => h instanceof Uint8Array && h.length === HASH_BYTES);
}
