import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKey } from '../../modules/principals/signing-key.js';
import { StreamedEd25519 } from './batch-signature.js';

const keys = () => generateKeyPairSync('ed25519');
const raw = (k: ReturnType<typeof keys>) =>
  ed25519PublicKey(k.publicKey.export({ type: 'spki', format: 'pem' }).toString());

function verifyInChunks(publicKey: Uint8Array, signature: Uint8Array, body: Buffer, chunk: number): boolean {
  const check = new StreamedEd25519(publicKey, signature);
  for (let i = 0; i < body.length; i += chunk) check.update(body.subarray(i, i + chunk));
  return check.valid();
}

describe('StreamedEd25519', () => {
  const body = Buffer.from('{"externalRef":"a"}\n'.repeat(5000));
  const pair = keys();
  const signature = sign(null, body, pair.privateKey);

  it('accepts a signature made by Node over the whole body, whatever the chunking', () => {
    for (const chunk of [1, 7, 4096, body.length]) expect(verifyInChunks(raw(pair), signature, body, chunk)).toBe(true);
  });

  it('refuses another key, a changed byte, a truncated body and a malformed or non-canonical signature', () => {
    expect(verifyInChunks(raw(keys()), signature, body, 4096)).toBe(false);
    const changed = Buffer.from(body);
    changed[100] = changed[100]! ^ 1;
    expect(verifyInChunks(raw(pair), signature, changed, 4096)).toBe(false);
    expect(verifyInChunks(raw(pair), signature, body.subarray(0, body.length - 1), 4096)).toBe(false);
    expect(verifyInChunks(raw(pair), signature.subarray(0, 63), body, 4096)).toBe(false);
    const flipped = Buffer.from(signature);
    flipped[10] = flipped[10]! ^ 1;
    expect(verifyInChunks(raw(pair), flipped, body, 4096)).toBe(false);
    // S + L verifies the same equation but is not canonical: refused.
    const s = Buffer.from(signature.subarray(32)).reverse();
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const big = BigInt('0x' + s.toString('hex')) + L;
    const malleable = Buffer.concat([
      signature.subarray(0, 32),
      Buffer.from(big.toString(16).padStart(64, '0'), 'hex').reverse(),
    ]);
    expect(verifyInChunks(raw(pair), malleable, body, 4096)).toBe(false);
  });
});
