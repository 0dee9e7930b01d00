/**
 * Every pair of a labelled template set, split into genuine (same identity) and impostor scores.
 * Templates are L2-normalised, so the score is their dot product.
 */
export function scoreAllPairs(items: readonly { identity: string; vector: Float32Array }[]): {
  genuine: Float32Array;
  impostor: Float32Array;
} {
  const n = items.length;
  const dim = items[0]?.vector.length ?? 0;
  const matrix = new Float32Array(n * dim);
  items.forEach((it, i) => matrix.set(it.vector, i * dim));
  const ids = items.map((it) => it.identity);
  let sameCount = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (ids[i] === ids[j]) sameCount++;
  const genuine = new Float32Array(sameCount);
  const impostor = new Float32Array((n * (n - 1)) / 2 - sameCount);
  let g = 0,
    m = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * dim;
    for (let j = i + 1; j < n; j++) {
      const oj = j * dim;
      let s = 0;
      for (let k = 0; k < dim; k++) s += matrix[oi + k]! * matrix[oj + k]!;
      if (ids[i] === ids[j]) genuine[g++] = s;
      else impostor[m++] = s;
    }
  }
  return { genuine, impostor };
}
