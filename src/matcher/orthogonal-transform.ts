/**
 * Renewable (cancelable) face templates in the sense of ISO/IEC 24745: every segment stores its templates
 * rotated by its own secret orthogonal matrix R, generated from a 32-byte seed.
 *
 * Why a rotation:
 * - **Accuracy is kept.** R is orthogonal, so ⟨R·a, R·b⟩ = ⟨a, b⟩ and ‖R·a‖ = ‖a‖: cosine scores between two
 *   templates under the same R are those of the raw embeddings (up to float32 rounding), and so are EER, TAR
 *   and the match threshold.
 * - **Unlinkability.** R is Haar-random (uniform over the orthogonal group), so for a fixed embedding x the
 *   cosine between R1·x and R2·x, or between R1·x and x, is distributed like that of two independent random
 *   unit vectors: about N(0, 1/dim), far below any match threshold. Without the seed, a stored template cannot
 *   be matched against another segment's templates nor against raw embeddings.
 * - **Renewability.** A leaked template is revoked by moving the segment to a new seed:
 *   {@link OrthogonalTransform.rekey} gives M = R_to·R_fromᵀ with M·(R_from·x) = R_to·x, so stored templates
 *   are re-keyed without any image and without ever materialising the raw embedding outside this product.
 *
 * A rotation is not encryption: whoever holds the seed (or dim linearly independent pairs x, R·x) recovers R.
 * Seeds belong with the other key material, never beside the templates.
 *
 * Pure: no I/O; node:crypto is used only as the AES keystream of the seeded generator.
 */
import { createCipheriv } from 'node:crypto';

const SEED_BYTES = 32;
const TWO_POW_21 = 2_097_152;
const TWO_POW_53 = 9_007_199_254_740_992;

/** A dim×dim orthogonal matrix acting on templates; immutable. */
export class OrthogonalTransform {
  /**
   * @param dim the side of the matrix.
   * @param rows the matrix, row-major, in float64 (kept private so that it cannot be changed after checks).
   */
  private constructor(
    readonly dim: number,
    private readonly rows: Float64Array,
  ) {}

  /**
   * The segment transform for `seed`: a Haar-random orthogonal matrix, deterministic in (seed, dim).
   *
   * The generation is part of the storage format (stored templates are only comparable under the same
   * matrix), so it is specified exactly: the AES-256-CTR keystream under key = seed and a zero IV is read
   * 8 bytes at a time as a big-endian 64-bit word, whose top 53 bits k give the uniform u = (k + 0.5)/2⁵³ in
   * (0, 1); Box–Muller turns each two uniforms (u1, u2) into the normals √(−2 ln u1)·cos(2πu2) and
   * √(−2 ln u1)·sin(2πu2); the normals fill a dim×dim matrix G column by column; G = QR by Householder
   * reflections in float64; the result is Q·diag(sign Rᵢᵢ). That sign correction makes the distribution Haar
   * (without it this Householder QR is biased: Q₀₀ = G₀₀/R₀₀ would always be negative).
   * Math.log/cos/sin are not required by the language to be correctly rounded, so another JavaScript engine
   * may differ in the last bits (about 1e-15), which no score can notice.
   *
   * Cost: about (8/3)·dim³ flops; dim 512 takes about 0.2 s on one core, so build it once per segment key
   * and keep it (2 MiB at dim 512).
   * @example
   * const r = OrthogonalTransform.fromSeed(segmentSeed, 512);
   * const stored = r.apply(template.vector);
   */
  static fromSeed(seed: Uint8Array, dim: number): OrthogonalTransform {
    if (seed.length !== SEED_BYTES) throw new RangeError(`seed must be ${SEED_BYTES} bytes, not ${seed.length}`);
    checkDim(dim);
    const n = dim;
    // a[j*n + i] is G[i][j]: column-major, so that the Householder loops below run over contiguous columns.
    const a = gaussianMatrix(seed, n * n);
    const v = new Float64Array(n * n); // reflector k in v[k*n + k .. k*n + n), unit norm (or all zero)
    const signs = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const ck = k * n;
      let norm2 = 0;
      for (let i = k; i < n; i++) norm2 += a[ck + i]! * a[ck + i]!;
      const norm = Math.sqrt(norm2);
      const x0 = a[ck + k]!;
      // R_kk = alpha, chosen opposite in sign to x0 so that v0 = x0 - alpha does not cancel.
      const alpha = x0 >= 0 ? -norm : norm;
      signs[k] = alpha >= 0 ? 1 : -1;
      const v0 = x0 - alpha;
      const vNorm = Math.sqrt(norm2 - x0 * x0 + v0 * v0);
      if (vNorm === 0) continue; // the column is already zero below the diagonal: H_k = I
      v[ck + k] = v0 / vNorm;
      for (let i = k + 1; i < n; i++) v[ck + i] = a[ck + i]! / vNorm;
      // Only the columns right of k are needed later; column k itself becomes (alpha, 0, ..., 0).
      reflectColumns(v, ck, a, k + 1, k, n);
    }
    // Q = H_0 H_1 ... H_{n-1} applied to I, last reflector first: H_k only touches rows and columns >= k, and
    // at that point columns < k of the product are still unit vectors e_j, zero in rows >= k.
    const q = new Float64Array(n * n); // column-major
    for (let i = 0; i < n; i++) q[i * n + i] = 1;
    for (let k = n - 1; k >= 0; k--) reflectColumns(v, k * n, q, k, k, n);
    // rows[i*n + j] = Q[i][j]·sign(R_jj): column j of Q is q[j*n ..], so this is a transpose with a sign.
    const rows = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const s = signs[j]!;
      const cj = j * n;
      for (let i = 0; i < n; i++) rows[i * n + j] = s * q[cj + i]!;
    }
    return new OrthogonalTransform(n, rows);
  }

  /** The identity transform: templates stored as they are (for a segment that has not been keyed yet). */
  static identity(dim: number): OrthogonalTransform {
    checkDim(dim);
    const rows = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) rows[i * dim + i] = 1;
    return new OrthogonalTransform(dim, rows);
  }

  /**
   * The re-keying transform M = R_to·R_fromᵀ: M·(R_from·x) = R_to·x, so a template stored under `from` moves
   * under `to` without the image, and without materialising x. Cost: dim³ multiply-adds (about 0.12 s at 512).
   * @example
   * const move = OrthogonalTransform.rekey(oldKey, newKey);
   * for (const t of stored) t.vector = move.apply(t.vector);
   */
  static rekey(from: OrthogonalTransform, to: OrthogonalTransform): OrthogonalTransform {
    sameDim(from, to);
    const n = to.dim;
    const out = new Float64Array(n * n);
    // M[i][j] = Σ_k From[j][k]·To[i][k]: row j of From against row i of To, i.e. From applied to row i of To.
    for (let i = 0; i < n; i++) rowsTimes(from.rows, to.rows, i * n, out, i * n, n);
    return new OrthogonalTransform(n, out);
  }

  /**
   * `this`, then `next`: the transform next·this, so that `a.andThen(b).apply(x)` equals `b.apply(a.apply(x))`
   * (up to rounding). `OrthogonalTransform.rekey(from, to)` is `from.transpose().andThen(to)`, computed directly.
   * (Not named `then`: an object with a `then` method is taken for a promise by `await`.)
   */
  andThen(next: OrthogonalTransform): OrthogonalTransform {
    sameDim(this, next);
    return OrthogonalTransform.rekey(this.transpose(), next);
  }

  /** Rᵀ, which is also R⁻¹. */
  transpose(): OrthogonalTransform {
    const n = this.dim;
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = this.rows[i * n + j]!;
    return new OrthogonalTransform(n, out);
  }

  /** R·v, accumulated in float64 and rounded once to float32. */
  apply(v: Float32Array): Float32Array {
    this.checkVector(v);
    const out = new Float64Array(this.dim);
    rowsTimes(this.rows, v, 0, out, 0, this.dim);
    return Float32Array.from(out);
  }

  /** Rᵀ·v = R⁻¹·v: undoes {@link apply}. */
  applyTranspose(v: Float32Array): Float32Array {
    this.checkVector(v);
    const n = this.dim;
    // Σ_i v[i]·row_i over contiguous rows rather than strided column reads, four rows per pass over `acc`.
    const rows = this.rows;
    const acc = new Float64Array(n);
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const s0 = v[i]!;
      const s1 = v[i + 1]!;
      const s2 = v[i + 2]!;
      const s3 = v[i + 3]!;
      const r0 = i * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      for (let j = 0; j < n; j++)
        acc[j]! += s0 * rows[r0 + j]! + s1 * rows[r1 + j]! + s2 * rows[r2 + j]! + s3 * rows[r3 + j]!;
    }
    for (; i < n; i++) {
      const s = v[i]!;
      for (let j = 0; j < n; j++) acc[j]! += s * rows[i * n + j]!;
    }
    return Float32Array.from(acc);
  }

  /** A copy of the matrix, row-major, in float64 (for checks; persist the seed, not this). */
  toArray(): Float64Array {
    return this.rows.slice();
  }

  private checkVector(v: Float32Array): void {
    if (v.length !== this.dim) throw new RangeError(`vector has ${v.length} components, the transform ${this.dim}`);
  }
}

function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, not ${dim}`);
}

function sameDim(a: OrthogonalTransform, b: OrthogonalTransform): void {
  if (a.dim !== b.dim) throw new RangeError(`transforms of different dimensions: ${a.dim} and ${b.dim}`);
}

/** `count` standard normals from the seed's AES-256-CTR keystream (see {@link OrthogonalTransform.fromSeed}). */
function gaussianMatrix(seed: Uint8Array, count: number): Float64Array {
  const uniforms = count + (count % 2);
  const cipher = createCipheriv('aes-256-ctr', seed, Buffer.alloc(16));
  const stream = Buffer.concat([cipher.update(Buffer.alloc(8 * uniforms)), cipher.final()]);
  const u = (k: number) => {
    const hi = stream.readUInt32BE(8 * k);
    const lo = stream.readUInt32BE(8 * k + 4);
    // The top 53 bits of the 64-bit word (all of hi, the top 21 of lo), plus one half: strictly inside (0, 1),
    // so log(u) is finite, and exact in a double.
    return (hi * TWO_POW_21 + (lo >>> 11) + 0.5) / TWO_POW_53;
  };
  const out = new Float64Array(uniforms);
  for (let k = 0; k < uniforms; k += 2) {
    const r = Math.sqrt(-2 * Math.log(u(k)));
    const theta = 2 * Math.PI * u(k + 1);
    out[k] = r * Math.cos(theta);
    out[k + 1] = r * Math.sin(theta);
  }
  return count === uniforms ? out : out.subarray(0, count);
}

/**
 * Applies H = I − 2vvᵀ (v = rows `from`..n of the reflector at `vAt`) to columns `first`..n of the column-major
 * n×n matrix `m`. Four columns share each pass over v: four independent sums let the adds overlap (measured
 * at dim 512: QR 200 ms instead of 290 ms one column at a time).
 */
function reflectColumns(v: Float64Array, vAt: number, m: Float64Array, first: number, from: number, n: number): void {
  let j = first;
  for (; j + 3 < n; j += 4) {
    const c0 = j * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = from; i < n; i++) {
      const x = v[vAt + i]!;
      s0 += x * m[c0 + i]!;
      s1 += x * m[c1 + i]!;
      s2 += x * m[c2 + i]!;
      s3 += x * m[c3 + i]!;
    }
    s0 *= 2;
    s1 *= 2;
    s2 *= 2;
    s3 *= 2;
    for (let i = from; i < n; i++) {
      const x = v[vAt + i]!;
      m[c0 + i]! -= s0 * x;
      m[c1 + i]! -= s1 * x;
      m[c2 + i]! -= s2 * x;
      m[c3 + i]! -= s3 * x;
    }
  }
  for (; j < n; j++) {
    const c = j * n;
    let s = 0;
    for (let i = from; i < n; i++) s += v[vAt + i]! * m[c + i]!;
    s *= 2;
    for (let i = from; i < n; i++) m[c + i]! -= s * v[vAt + i]!;
  }
}

/**
 * out[outAt + i] = Σ_k rows[i·n + k]·x[xAt + k] for every row i of the n×n row-major `rows`. Four rows share
 * each pass over x, so that four independent sums overlap their adds (measured at dim 512: 200 µs per apply,
 * against 300 µs for one row at a time even unrolled by 8 into 4 accumulators as `dotAt` in scoring.ts).
 */
function rowsTimes(
  rows: Float64Array,
  x: Float64Array | Float32Array,
  xAt: number,
  out: Float64Array,
  outAt: number,
  n: number,
): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < n; k++) {
      const xk = x[xAt + k]!;
      s0 += rows[r0 + k]! * xk;
      s1 += rows[r1 + k]! * xk;
      s2 += rows[r2 + k]! * xk;
      s3 += rows[r3 + k]! * xk;
    }
    out[outAt + i] = s0;
    out[outAt + i + 1] = s1;
    out[outAt + i + 2] = s2;
    out[outAt + i + 3] = s3;
  }
  for (; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += rows[i * n + k]! * x[xAt + k]!;
    out[outAt + i] = s;
  }
}
