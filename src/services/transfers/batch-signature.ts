import { createHash, type Hash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';

/**
 * Plain Ed25519 (RFC 8032, not Ed25519ph) over a body too large to hold: the library's `verify` wants the whole
 * message, so the one step that reads it, `k = SHA-512(R || A || M)`, runs incrementally as chunks arrive, and
 * the group equation `[8][S]B = [8](R + [k]A)` is checked at the end with the library's point arithmetic (the
 * cofactored check, as the library's own `verify` does).
 *
 * @example
 * const check = new StreamedEd25519(publicKey, signature);
 * for await (const chunk of body) check.update(chunk);
 * if (!check.valid()) refuse();
 */
export class StreamedEd25519 {
  private readonly hash: Hash = createHash('sha512');

  constructor(
    private readonly publicKey: Uint8Array,
    private readonly signature: Uint8Array,
  ) {
    // R, then A, then the message: the challenge hash's order.
    this.hash.update(signature.subarray(0, 32)).update(publicKey);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  /** Whether the signature holds over every byte given; any malformed key or signature is simply invalid. */
  valid(): boolean {
    if (this.signature.length !== 64 || this.publicKey.length !== 32) return false;
    const { Point } = ed25519;
    try {
      const r = Point.fromBytes(this.signature.subarray(0, 32));
      const a = Point.fromBytes(this.publicKey);
      const s = bytesToNumberLE(this.signature.subarray(32));
      if (s >= Point.Fn.ORDER) return false; // non-canonical S: malleable, refused as RFC 8032 says
      const k = Point.Fn.create(bytesToNumberLE(this.hash.digest()));
      const sb = Point.BASE.multiplyUnsafe(s);
      return r.add(a.multiplyUnsafe(k)).subtract(sb).clearCofactor().is0();
    } catch {
      return false;
    }
  }
}
