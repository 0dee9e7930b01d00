import { randomBytes } from 'node:crypto';

/**
 * Opaque random ids with a readable kind prefix (`psn_…` for a person). 128 random bits in base32: never
 * derived from anything about the person, so an id in a log or URL reveals nothing.
 */
export type IdKind =
  | 'psn'
  | 'tpl'
  | 'rp'
  | 'op'
  | 'adm'
  | 'aud'
  | 'adj'
  | 'evt'
  | 'req'
  | 'cns'
  | 'lck'
  | 'inc'
  | 'ntf'
  | 'ctr'
  | 'prt'
  | 'alr'
  | 'pas'
  | 'chg'
  | 'fac'
  | 'pks'
  | 'ven'
  | 'vac'
  | 'sch'
  | 'pup'
  | 'trf';

export interface IdSource {
  next(kind: IdKind): string;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function randomId(kind: IdKind): string {
  return `${kind}_${base32(randomBytes(16))}`;
}

/** Lowercase RFC 4648 base32 without padding (16 bytes give 26 characters). */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export const randomIds: IdSource = { next: randomId };

/** Ids as they appear in URLs: a kind prefix and 26 base32 characters. */
export const ID_PATTERN = /^[a-z]{2,3}_[a-z2-7]{26}$/;
