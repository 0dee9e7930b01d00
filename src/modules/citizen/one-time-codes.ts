import { createHash, randomBytes, randomInt } from 'node:crypto';
import { base32 } from '../../ports/ids.js';

/** Secrets (codes, tokens) are stored only as this hash. */
export const secretHash = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A six-digit code for a second factor: short to type, safe because each challenge allows only a few tries. */
export function secondFactorCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** An 80-bit code in groups of four (`ABCD-EFGH-…`), for sign-in without a face (no challenge bounds its tries). */
export function signInCode(): string {
  return base32(randomBytes(10)).replace(/(.{4})(?=.)/g, '$1-');
}

/** How a code is compared: case and surrounding spaces do not matter. */
export const codeHash = (code: string): string => secretHash(code.trim().toLowerCase());

/** The token that names a sign-in challenge (`occ_…`), handed to the one who showed the face. */
export const challengeToken = (): string => `occ_${randomBytes(32).toString('base64url')}`;

/**
 * The text of a code message. It says what the code is for and what to do if the citizen did not ask for it,
 * so a code someone else triggered is itself the warning.
 */
export function codeMessage(kind: 'sign_in' | 'activation' | 'operator' | 'contact', code: string, minutes: number) {
  const what = {
    sign_in: 'Your Oblik sign-in code',
    activation: 'Your Oblik account activation code',
    operator: 'A registry operator asked for an Oblik sign-in code for you. Your code',
    contact: 'To confirm this as your Oblik contact, your code',
  }[kind];
  return (
    `${what} is ${code} (valid ${minutes} min). Never give it to anyone, including the registry or the office that ` +
    'enrolled you. If you did not ask for it, someone is trying to use your account: open your Oblik account ' +
    'or contact the registry.'
  );
}
