import { createPublicKey } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';

/**
 * The raw 32-byte Ed25519 public key of a PEM (SPKI) key, or `relying_party.signing_key_invalid` for anything
 * else (another algorithm, a private key, garbage).
 */
export function ed25519PublicKey(pem: string): Uint8Array {
  let key;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new AppError('relying_party.signing_key_invalid', 'the key is not a PEM public key', undefined, { cause: e });
  }
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') {
    throw new AppError('relying_party.signing_key_invalid', 'the signing key must be an Ed25519 public key', {
      type: key.asymmetricKeyType,
    });
  }
  const { x } = key.export({ format: 'jwk' });
  return Buffer.from(x!, 'base64url');
}
