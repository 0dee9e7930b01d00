import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, MerkleTree, leafHash, nodeHash, verifyConsistency, verifyInclusion } from './merkle.js';

/** The RFC 9162 §2.1 definitions written out literally (recursion over slices), as the reference. */
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const split = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.from([0]), d[0]!);
  const k = split(d.length);
  return sha(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
}

function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const k = split(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

const leaves = Array.from({ length: 70 }, (_, i) => Buffer.from(`leaf ${i}`));
const tree = new MerkleTree();
for (const leaf of leaves) tree.append(leafHash(leaf));
const hex = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));
const flipped = (b: Uint8Array, byte = 0) => {
  const c = Buffer.from(b);
  c[byte] = c[byte]! ^ 0x01;
  return c;
};

describe('RFC 9162 hashes', () => {
  it('prefix leaves with 0x00 and nodes with 0x01; the empty tree is SHA-256 of nothing', () => {
    expect(leafHash(Buffer.from('x'))).toEqual(sha(Buffer.from([0]), Buffer.from('x')));
    expect(nodeHash(Buffer.alloc(32, 1), Buffer.alloc(32, 2))).toEqual(
      sha(Buffer.from([1]), Buffer.alloc(32, 1), Buffer.alloc(32, 2)),
    );
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new MerkleTree().root()).toEqual(EMPTY_ROOT);
  });
});

describe('MerkleTree against the literal RFC definitions, every size 1..70', () => {
  it('root(n) = MTH(D[0:n])', () => {
    for (let n = 1; n <= 70; n++)
      expect(tree.root(n).toString('hex'), `n=${n}`).toBe(mth(leaves.slice(0, n)).toString('hex'));
  });

  it('inclusionProof(m, n) = PATH(m, D[0:n]) and verifies; every index of every size', () => {
    for (let n = 1; n <= 70; n++) {
      const d = leaves.slice(0, n);
      const root = mth(d);
      for (let m = 0; m < n; m++) {
        const proof = tree.inclusionProof(m, n);
        expect(hex(proof), `m=${m} n=${n}`).toEqual(hex(path(m, d)));
        expect(verifyInclusion(leafHash(leaves[m]!), m, n, proof, root), `m=${m} n=${n}`).toBe(true);
      }
    }
  });

  it('consistencyProof(m, n) = SUBPROOF(m, D[0:n], true) and verifies; every pair 1 ≤ m ≤ n ≤ 70', () => {
    for (let n = 1; n <= 70; n++) {
      const d = leaves.slice(0, n);
      for (let m = 1; m <= n; m++) {
        const proof = tree.consistencyProof(m, n);
        expect(hex(proof), `m=${m} n=${n}`).toEqual(hex(subproof(m, d, true)));
        expect(verifyConsistency(m, n, mth(leaves.slice(0, m)), mth(d), proof), `m=${m} n=${n}`).toBe(true);
      }
    }
  });

  it('refuses sizes and indices outside the tree', () => {
    expect(() => tree.root(71)).toThrow(RangeError);
    expect(() => tree.inclusionProof(5, 5)).toThrow(RangeError);
    expect(() => tree.inclusionProof(-1, 5)).toThrow(RangeError);
    expect(() => tree.inclusionProof(0, 0)).toThrow(RangeError);
    expect(() => tree.consistencyProof(0, 5)).toThrow(RangeError);
    expect(() => tree.consistencyProof(6, 5)).toThrow(RangeError);
    expect(() => tree.consistencyProof(1, 71)).toThrow(RangeError);
  });

  it('truncate undoes appends exactly', () => {
    const t = new MerkleTree();
    for (const leaf of leaves.slice(0, 40)) t.append(leafHash(leaf));
    t.truncate(23);
    expect(t.size).toBe(23);
    expect(t.root()).toEqual(mth(leaves.slice(0, 23)));
    for (const leaf of leaves.slice(23, 70)) t.append(leafHash(leaf));
    expect(t.root()).toEqual(tree.root());
    expect(hex(t.inclusionProof(30, 61))).toEqual(hex(tree.inclusionProof(30, 61)));
  });
});

describe('MerkleTree beyond its first storage chunks (4,096 hashes per level)', () => {
  it('agrees with MTH and PATH across chunk boundaries, and after truncating across one', () => {
    const many = Array.from({ length: 9000 }, (_, i) => Buffer.from(`leaf ${i}`));
    const big = new MerkleTree();
    for (const leaf of many) big.append(leafHash(leaf));
    for (const n of [4095, 4096, 4097, 8192, 8193, 9000]) {
      expect(big.root(n).toString('hex'), `n=${n}`).toBe(mth(many.slice(0, n)).toString('hex'));
    }
    for (const m of [0, 4095, 4096, 8191, 8192, 8999]) {
      expect(hex(big.inclusionProof(m, 9000)), `m=${m}`).toEqual(hex(path(m, many)));
    }
    expect(hex(big.consistencyProof(4097, 9000))).toEqual(hex(subproof(4097, many, true)));
    big.truncate(4000);
    for (const leaf of many.slice(4000)) big.append(leafHash(leaf));
    expect(big.root()).toEqual(mth(many));
    // About 64 bytes per leaf, plus at most one partly filled 128 KiB chunk per level.
    expect(big.memoryBytes()).toBeLessThan(64 * 9000 + 14 * 128 * 1024);
  });
});

describe('verification fails on any alteration', () => {
  // Collected and asserted once: some 300,000 cases, too many for one `expect` each.
  const roots = Array.from({ length: 71 }, (_, n) => tree.root(n));
  /** Other sizes to claim: the neighbours within 8 and every power of two (where proof shapes change). */
  const otherSizes = (n: number) =>
    [...new Set([...Array.from({ length: 17 }, (_, i) => n - 8 + i), 1, 2, 4, 8, 16, 32, 64, 70])].filter(
      (s) => s >= 1 && s <= 70 && s !== n,
    );

  it('inclusion: any proof element, the leaf, the index, the size, the root, a dropped or an extra element', () => {
    const accepted: string[] = [];
    const refuse = (what: string, ...args: Parameters<typeof verifyInclusion>) => {
      if (verifyInclusion(...args)) accepted.push(what);
    };
    for (let n = 1; n <= 70; n++) {
      const root = roots[n]!;
      for (let m = 0; m < n; m++) {
        const hash = leafHash(leaves[m]!);
        const proof = tree.inclusionProof(m, n);
        for (let j = 0; j < proof.length; j++) {
          for (const byte of [0, 17, 31]) {
            const altered = proof.map((p, k) => (k === j ? flipped(p, byte) : p));
            refuse(`m=${m} n=${n} element ${j} byte ${byte}`, hash, m, n, altered, root);
          }
        }
        refuse(`m=${m} n=${n} leaf`, flipped(hash), m, n, proof, root);
        refuse(`m=${m} n=${n} root`, hash, m, n, proof, flipped(root, 31));
        for (let other = 0; other < n + 2; other++) {
          if (other !== m) refuse(`m=${m} n=${n} as index ${other}`, hash, other, n, proof, root);
        }
        // Claiming another size means checking against that size's root (its signed head).
        for (const size of otherSizes(n)) refuse(`m=${m} n=${n} as size ${size}`, hash, m, size, proof, roots[size]!);
        if (proof.length > 0) refuse(`m=${m} n=${n} dropped`, hash, m, n, proof.slice(0, -1), root);
        refuse(`m=${m} n=${n} extra`, hash, m, n, [...proof, Buffer.alloc(32)], root);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('consistency: any proof element, either root, either size, a dropped or an extra element', () => {
    const accepted: string[] = [];
    const refuse = (what: string, ...args: Parameters<typeof verifyConsistency>) => {
      if (verifyConsistency(...args)) accepted.push(what);
    };
    for (let n = 1; n <= 70; n++) {
      const second = roots[n]!;
      for (let m = 1; m <= n; m++) {
        const first = roots[m]!;
        const proof = tree.consistencyProof(m, n);
        for (let j = 0; j < proof.length; j++) {
          const altered = proof.map((p, k) => (k === j ? flipped(p, j % 32) : p));
          refuse(`m=${m} n=${n} element ${j}`, m, n, first, second, altered);
        }
        refuse(`m=${m} n=${n} first root`, m, n, flipped(first), second, proof);
        refuse(`m=${m} n=${n} second root`, m, n, first, flipped(second), proof);
        // Claiming another size means checking against that size's root (its signed head).
        for (const size of otherSizes(m)) refuse(`m=${m}→${size} n=${n}`, size, n, roots[size]!, second, proof);
        for (const size of otherSizes(n)) refuse(`m=${m} n=${n}→${size}`, m, size, first, roots[size]!, proof);
        if (proof.length > 0) refuse(`m=${m} n=${n} dropped`, m, n, first, second, proof.slice(0, -1));
        refuse(`m=${m} n=${n} extra`, m, n, first, second, [...proof, Buffer.alloc(32)]);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('refuses malformed input rather than throwing', () => {
    const root = tree.root(10);
    expect(verifyInclusion(Buffer.alloc(31), 0, 10, tree.inclusionProof(0, 10), root)).toBe(false);
    expect(verifyInclusion(leafHash(leaves[0]!), 0, 10, [Buffer.alloc(5)], root)).toBe(false);
    expect(verifyInclusion(leafHash(leaves[0]!), 0.5, 10, tree.inclusionProof(0, 10), root)).toBe(false);
    expect(verifyConsistency(0, 10, EMPTY_ROOT, root, [])).toBe(false);
    expect(verifyConsistency(11, 10, root, root, [])).toBe(false);
    expect(verifyConsistency(5, 10, tree.root(5), root, [])).toBe(false);
  });
});
