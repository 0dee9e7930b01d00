import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys: 256 random bits, shown once, stored only as their SHA-256. A fast hash suffices because the keys
 * are random (nothing to guess from a dictionary); it keeps authentication to one indexed lookup.
 */
export function newApiKey(): string {
  return `oblik_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
