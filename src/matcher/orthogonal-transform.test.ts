import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OrthogonalTransform } from './orthogonal-transform.js';

const DIM = 512;
const seedOf = (label: string) => new Uint8Array(createHash('sha256').update(label).digest());

// mulberry32 with Box–Muller: deterministic test vectors, independent of the generator under test.
function gaussians(seed: number): (dim: number) => Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return (dim) =>
    Float32Array.from({ length: dim }, () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));
const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => dot(a, b) / (norm(a) * norm(b));
const unit = (a: Float32Array) => a.map((x) => x / norm(a));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** max |RᵀR − I| over all entries, computed in float64 from the stored matrix. */
function orthogonalityError(r: OrthogonalTransform): number {
  const m = r.toArray();
  const n = r.dim;
  const col = (j: number) => Float64Array.from({ length: n }, (_, i) => m[i * n + j]!);
  const cols = Array.from({ length: n }, (_, j) => col(j));
  let worst = 0;
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) worst = Math.max(worst, Math.abs(dot(cols[i]!, cols[j]!) - (i === j ? 1 : 0)));
  return worst;
}

describe('OrthogonalTransform', () => {
  const r1 = OrthogonalTransform.fromSeed(seedOf('segment-1'), DIM);
  const r2 = OrthogonalTransform.fromSeed(seedOf('segment-2'), DIM);
  const random = gaussians(7);
  const vectors = Array.from({ length: 200 }, () => unit(random(DIM)));

  it('is orthogonal to float64 precision: RᵀR = I', () => {
    expect(orthogonalityError(r1)).toBeLessThan(1e-9);
    // Odd sizes take the remainder paths of the four-wide loops, and an odd count of normals.
    for (const n of [1, 2, 3, 7, 33])
      expect(orthogonalityError(OrthogonalTransform.fromSeed(seedOf('odd'), n))).toBeLessThan(1e-12);
  });

  it('matches the specified generation (AES-256-CTR, Box–Muller, Householder QR, sign fix)', () => {
    // Computed independently of this module: keystream from `openssl enc -aes-256-ctr` with key 00..1f and a zero
    // IV, the same uniforms and Box–Muller in Python, QR by numpy (LAPACK), then Q·diag(sign diag R).
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
    const expected4 = [
      -0.349785530016816, 0.8788988497189689, -0.323774072676271, 0.018900921039706076, -0.5820120739424567,
      0.006728654413080539, 0.616051539390792, -0.5307515160687014, -0.42324478251326864, -0.42282196903391445,
      -0.7119832971913742, -0.36764823010328596, -0.5998132066329909, -0.22071048836597273, 0.0934378681122142,
      0.7634005254625825,
    ];
    const expected5 = [
      -0.07091789545884497, 0.6079133410236456, 0.22194510581831126, 0.7379154373279775, -0.17785724406252146,
      -0.11800108315987924, -0.4616988686839725, 0.7842602934833826, 0.21383970281362832, 0.33484066747480556,
      -0.08581152353081782, 0.1131202987505561, 0.4891507035207041, -0.4284465677548035, -0.7463278825450873,
      -0.12161020577605962, 0.6313438456233919, 0.24976224913477546, -0.475274204700936, 0.546213470813017,
      0.9792311967851145, 0.07670900250596517, 0.18446292370283027, -0.01735965952028929, 0.029900905967468465,
    ];
    expect(maxAbsDiff(OrthogonalTransform.fromSeed(seed, 4).toArray(), expected4)).toBeLessThan(1e-12);
    // 25 normals: an odd count, so the last Box–Muller pair is half used.
    expect(maxAbsDiff(OrthogonalTransform.fromSeed(seed, 5).toArray(), expected5)).toBeLessThan(1e-12);
  });

  it('is deterministic for equal seeds and differs for different seeds', () => {
    const again = OrthogonalTransform.fromSeed(seedOf('segment-1'), DIM);
    expect(again.toArray()).toEqual(r1.toArray());
    expect(maxAbsDiff(r1.toArray(), r2.toArray())).toBeGreaterThan(0.1);
    const flipped = seedOf('segment-1');
    flipped[31]! ^= 1;
    expect(maxAbsDiff(OrthogonalTransform.fromSeed(flipped, DIM).toArray(), r1.toArray())).toBeGreaterThan(0.1);
  });

  it('preserves norms and cosines', () => {
    const rotated = vectors.map((v) => r1.apply(v));
    for (let i = 0; i < vectors.length; i++) {
      expect(Math.abs(norm(rotated[i]!) - norm(vectors[i]!))).toBeLessThan(1e-5);
      // The vector did move: a no-op apply would pass the norm and cosine checks too.
      expect(maxAbsDiff(rotated[i]!, vectors[i]!)).toBeGreaterThan(0.05);
    }
    for (let i = 0; i + 1 < vectors.length; i++) {
      const j = (i * 37 + 11) % vectors.length;
      expect(Math.abs(dot(rotated[i]!, rotated[j]!) - dot(vectors[i]!, vectors[j]!))).toBeLessThan(1e-5);
    }
    // Also for pairs that are far from orthogonal, where an error in the rotation would show most.
    const near = unit(vectors[0]!.map((x, k) => x + 0.3 * vectors[1]![k]!));
    expect(Math.abs(dot(r1.apply(near), rotated[0]!) - dot(near, vectors[0]!))).toBeLessThan(1e-5);
  });

  it('applyTranspose inverts apply, and equals transpose().apply', () => {
    for (const v of vectors.slice(0, 20)) {
      expect(maxAbsDiff(r1.applyTranspose(r1.apply(v)), v)).toBeLessThan(1e-5);
      expect(maxAbsDiff(r1.apply(r1.applyTranspose(v)), v)).toBeLessThan(1e-5);
      expect(maxAbsDiff(r1.transpose().apply(v), r1.applyTranspose(v))).toBeLessThan(1e-6);
    }
    // Sizes that are not a multiple of four also take the remainder rows; R·e_j must be column j of R.
    for (const n of [1, 3, 7, 33]) {
      const r = OrthogonalTransform.fromSeed(seedOf(`small-${n}`), n);
      const m = r.toArray();
      for (let j = 0; j < n; j++) {
        const e = Float32Array.from({ length: n }, (_, i) => (i === j ? 1 : 0));
        const column = Array.from({ length: n }, (_, i) => m[i * n + j]!);
        const row = Array.from(m.subarray(j * n, j * n + n));
        expect(maxAbsDiff(r.apply(e), column)).toBeLessThan(1e-7);
        expect(maxAbsDiff(r.applyTranspose(e), row)).toBeLessThan(1e-7);
      }
      const x = unit(random(n));
      expect(maxAbsDiff(r.applyTranspose(r.apply(x)), x)).toBeLessThan(1e-6);
    }
  });

  it('re-keys a stored template without the embedding: rekey(R1, R2)·(R1·x) = R2·x', () => {
    const move = OrthogonalTransform.rekey(r1, r2);
    expect(orthogonalityError(move)).toBeLessThan(1e-9);
    const composed = r1.andThen(r2);
    for (const x of vectors.slice(0, 20)) {
      expect(maxAbsDiff(move.apply(r1.apply(x)), r2.apply(x))).toBeLessThan(1e-5);
      expect(maxAbsDiff(composed.apply(x), r2.apply(r1.apply(x)))).toBeLessThan(1e-5);
    }
    expect(maxAbsDiff(OrthogonalTransform.rekey(OrthogonalTransform.identity(DIM), r2).toArray(), r2.toArray())).toBe(
      0,
    );
  });

  it('unlinks: one embedding under independent keys, or under a key and raw, has cosine ~ N(0, 1/dim)', () => {
    const linked = vectors.map((x) => ({ a: r1.apply(x), b: r2.apply(x) }));
    const cross = linked.map(({ a, b }) => cosine(a, b));
    const toRaw = vectors.map((x, i) => cosine(linked[i]!.a, x));
    for (const cosines of [cross, toRaw]) {
      expect(Math.max(...cosines.map(Math.abs))).toBeLessThan(0.25);
      // dim·cos² is about χ²(1): its mean over 200 pairs is 1 ± 0.1, so this band is about 4σ wide.
      const meanSquare = cosines.reduce((s, c) => s + c * c, 0) / cosines.length;
      expect(meanSquare * DIM).toBeGreaterThan(0.6);
      expect(meanSquare * DIM).toBeLessThan(1.5);
    }
  });

  it('is Haar: the sign of an entry and of the determinant are fair coins (dim 3, 2000 seeds)', () => {
    // Plain Householder QR gives Q₀₀ < 0 and det Q = (−1)^dim every time; the sign correction removes both.
    let positive = 0;
    let squares = 0;
    let properRotations = 0;
    const seeds = 2000;
    for (let s = 0; s < seeds; s++) {
      const m = OrthogonalTransform.fromSeed(seedOf(`haar-${s}`), 3).toArray();
      if (m[0]! > 0) positive++;
      squares += m[0]! * m[0]!;
      const det =
        m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) -
        m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) +
        m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
      expect(Math.abs(Math.abs(det) - 1)).toBeLessThan(1e-12);
      if (det > 0) properRotations++;
    }
    // Binomial(2000, 1/2): σ ≈ 0.011, so ±0.05 is 4.5σ.
    expect(Math.abs(positive / seeds - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(properRotations / seeds - 0.5)).toBeLessThan(0.05);
    // A Haar entry squared has mean 1/dim (a coordinate of a uniform point on the sphere).
    expect(Math.abs(squares / seeds - 1 / 3)).toBeLessThan(0.03);
  });

  it('identity leaves vectors unchanged', () => {
    const id = OrthogonalTransform.identity(DIM);
    expect(id.apply(vectors[0]!)).toEqual(vectors[0]);
    expect(id.applyTranspose(vectors[1]!)).toEqual(vectors[1]);
  });

  it('refuses a seed that is not 32 bytes, a bad dimension, and mismatched sizes', () => {
    expect(() => OrthogonalTransform.fromSeed(new Uint8Array(16), DIM)).toThrow(RangeError);
    expect(() => OrthogonalTransform.fromSeed(seedOf('x'), 0)).toThrow(RangeError);
    expect(() => OrthogonalTransform.fromSeed(seedOf('x'), 2.5)).toThrow(RangeError);
    expect(() => r1.apply(new Float32Array(DIM - 1))).toThrow(RangeError);
    expect(() => r1.applyTranspose(new Float32Array(DIM + 1))).toThrow(RangeError);
    expect(() => OrthogonalTransform.rekey(r1, OrthogonalTransform.identity(4))).toThrow(RangeError);
  });
});
