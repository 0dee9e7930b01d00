import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM sealing: nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes). The additional data binds a sealed
 * value to where it belongs (a template to its row, a data key to its segment and version), so a ciphertext
 * copied to another row fails to open rather than decrypting as someone else's template.
 */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export class SealError extends Error {
  override name = 'SealError';
}

export function seal(key: Uint8Array, plaintext: Uint8Array, additionalData: string): Buffer {
  if (key.length !== KEY_BYTES) throw new SealError('an AES-256 key is 32 bytes');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

export function open(key: Uint8Array, sealed: Uint8Array, additionalData: string): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new SealError('sealed value is truncated');
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(additionalData, 'utf8'));
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(buf.subarray(NONCE_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealError('sealed value failed authentication (wrong key, wrong binding or tampered)');
  }
}

/** A short public name for a key (never the key itself): the first 16 hex digits of its SHA-256. */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function newKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** A template vector as bytes (float32, little-endian) and back. */
export function vectorToBytes(vector: Float32Array): Buffer {
  const out = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) out.writeFloatLE(vector[i]!, i * 4);
  return out;
}

export function bytesToVector(bytes: Uint8Array): Float32Array {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}
