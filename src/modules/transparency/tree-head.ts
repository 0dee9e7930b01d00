import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Signed tree heads: the log's commitment to its first `treeSize` leaves, signed with Ed25519. The signature
 * covers exactly these 67 bytes, which anyone can rebuild in any language:
 *
 *   ASCII "oblik-tree-head-v1" ‖ 0x00 ‖ uint64 big-endian treeSize ‖ uint64 big-endian timestamp ‖ root hash (32 raw bytes)
 *
 * `timestamp` is milliseconds since the Unix epoch (UTC); `rootHash` is lowercase hex on the wire; `signature`
 * is standard base64 of the 64-byte Ed25519 signature; `keyId` is the lowercase hex SHA-256 of the signer's
 * 32-byte raw public key. Pure: no I/O.
 */
export interface SignedTreeHead {
  readonly treeSize: number;
  readonly rootHash: string;
  readonly timestamp: number;
  readonly signature: string;
  readonly keyId: string;
}

export const TREE_HEAD_CONTEXT = 'oblik-tree-head-v1';
const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * The exact bytes a tree head's signature covers.
 * @example treeHeadMessage(3, 1764000000000, 'a1b2…') // 'oblik-tree-head-v1' 00 | 00…03 | 00…019ab3f0e400 | a1b2…
 */
export function treeHeadMessage(treeSize: number, timestamp: number, rootHash: string): Buffer {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new RangeError('treeSize must be a whole number ≥ 0');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('timestamp must be a whole number ≥ 0');
  if (!HEX_HASH.test(rootHash)) throw new RangeError('rootHash must be 64 lowercase hex digits');
  const numbers = Buffer.alloc(16);
  numbers.writeBigUInt64BE(BigInt(treeSize), 0);
  numbers.writeBigUInt64BE(BigInt(timestamp), 8);
  return Buffer.concat([
    Buffer.from(TREE_HEAD_CONTEXT, 'ascii'),
    Buffer.from([0]),
    numbers,
    Buffer.from(rootHash, 'hex'),
  ]);
}

/** The key id of an Ed25519 public key: lowercase hex SHA-256 of its 32 raw bytes. */
export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex');
}

/** The 32 raw bytes of an Ed25519 public key (RFC 8032), as published. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TypeError('not Ed25519');
  return Buffer.from(jwk.x, 'base64url');
}

/** An Ed25519 public key from its 32 raw bytes. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError('an Ed25519 public key is 32 bytes');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

/** Signs the head of a tree of `treeSize` leaves with root `rootHash` at `timestamp`. */
export function signTreeHead(
  head: { treeSize: number; rootHash: string; timestamp: number },
  key: { privateKey: KeyObject; keyId: string },
): SignedTreeHead {
  const message = treeHeadMessage(head.treeSize, head.timestamp, head.rootHash);
  return { ...head, signature: sign(null, message, key.privateKey).toString('base64'), keyId: key.keyId };
}

/**
 * Whether `head` carries a valid signature by `publicKey` and names that key. Never throws: a malformed field
 * (a size that is not a whole number, a root that is not hex, a signature that is not base64) is invalid.
 */
export function verifyTreeHead(head: SignedTreeHead, publicKey: KeyObject): boolean {
  try {
    if (head.keyId !== publicKeyId(publicKey)) return false;
    const signature = Buffer.from(head.signature, 'base64');
    // Only the canonical encoding: base64 decoders ignore stray characters and the last digit's spare bits.
    if (signature.length !== 64 || signature.toString('base64') !== head.signature) return false;
    const message = treeHeadMessage(head.treeSize, head.timestamp, head.rootHash);
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}
