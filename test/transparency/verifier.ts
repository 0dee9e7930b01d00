import { createHash, createHmac, createPublicKey, verify } from 'node:crypto';

/**
 * An independent verifier for the tests, written from the README and RFC 9162 alone (it shares no code with
 * src/modules/transparency): what a citizen or a monitor would write to check the published log.
 */
const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const unhex = (s: string) => Buffer.from(s, 'hex');
const node = (l: Uint8Array, r: Uint8Array) => sha256(Buffer.from([1]), l, r);

export const leafHashOf = (leaf: string) => sha256(Buffer.from([0]), Buffer.from(leaf, 'utf8')).toString('hex');

/**
 * A version 2 leaf from the entry and salt a citizen receives (README "Transparency log"): the text
 * {"commitment":"<lowercase hex HMAC-SHA256(salt bytes, entry UTF-8)>","v":2}.
 */
export function leafFromEntry(entry: string, saltHex: string): string {
  const commitment = createHmac('sha256', unhex(saltHex)).update(Buffer.from(entry, 'utf8')).digest('hex');
  return `{"commitment":"${commitment}","v":2}`;
}

/** MTH(D[n]) of RFC 9162 §2.1.1 over leaf hashes (hex). */
export function merkleRoot(leafHashes: readonly string[]): string {
  const mth = (d: Buffer[]): Buffer => {
    if (d.length === 0) return sha256();
    if (d.length === 1) return d[0]!;
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return node(mth(d.slice(0, k)), mth(d.slice(k)));
  };
  return mth(leafHashes.map(unhex)).toString('hex');
}

/** The signature of a head over the README's bytes, by the published raw Ed25519 key (base64). */
export function headSignatureValid(
  head: { treeSize: number; timestamp: number; rootHash: string; signature: string; keyId: string },
  publicKeyBase64: string,
): boolean {
  const raw = Buffer.from(publicKeyBase64, 'base64');
  if (sha256(raw).toString('hex') !== head.keyId) return false;
  const message = Buffer.alloc(18 + 1 + 8 + 8 + 32);
  message.write('oblik-tree-head-v1', 0, 'ascii');
  message.writeBigUInt64BE(BigInt(head.treeSize), 19);
  message.writeBigUInt64BE(BigInt(head.timestamp), 27);
  unhex(head.rootHash).copy(message, 35);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  return verify(null, message, key, Buffer.from(head.signature, 'base64'));
}

/** RFC 9162 §2.1.3.2. */
export function inclusionValid(
  leafHash: string,
  leafIndex: number,
  treeSize: number,
  auditPath: readonly string[],
  rootHash: string,
): boolean {
  if (leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = unhex(leafHash);
  for (const p of auditPath.map(unhex)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.toString('hex') === rootHash;
}

/** RFC 9162 §2.1.4.2 (0 < first < second). */
export function consistencyValid(
  first: number,
  second: number,
  firstHash: string,
  secondHash: string,
  proof: readonly string[],
): boolean {
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstHash, ...proof].map(unhex) : proof.map(unhex);
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.toString('hex') === firstHash && sr.toString('hex') === secondHash && sn === 0;
}
