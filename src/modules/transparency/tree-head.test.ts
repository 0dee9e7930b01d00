import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  publicKeyFromRaw,
  publicKeyId,
  rawPublicKey,
  signTreeHead,
  treeHeadMessage,
  verifyTreeHead,
  type SignedTreeHead,
} from './tree-head.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keyId = publicKeyId(publicKey);
const root = '0f'.repeat(32);

describe('signed tree heads', () => {
  it('sign exactly "oblik-tree-head-v1" 0x00 uint64be(size) uint64be(timestamp) root', () => {
    const message = treeHeadMessage(258, 1764000000123, root);
    expect(message.toString('hex')).toBe(
      Buffer.from('oblik-tree-head-v1').toString('hex') +
        '00' +
        '0000000000000102' +
        (1764000000123).toString(16).padStart(16, '0') +
        root,
    );
    expect(message.length).toBe(67);
  });

  it('name their key by the SHA-256 of its raw 32 bytes, which round-trip', () => {
    const raw = rawPublicKey(publicKey);
    expect(raw.length).toBe(32);
    expect(publicKeyId(publicKeyFromRaw(raw))).toBe(keyId);
    expect(keyId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verify as signed, and fail when any field or any byte of the signature changes', () => {
    const head = signTreeHead({ treeSize: 7, rootHash: root, timestamp: 1764000000000 }, { privateKey, keyId });
    expect(verifyTreeHead(head, publicKey)).toBe(true);
    const altered: SignedTreeHead[] = [
      { ...head, treeSize: 8 },
      { ...head, timestamp: head.timestamp + 1 },
      { ...head, rootHash: `0e${root.slice(2)}` },
      { ...head, rootHash: root.toUpperCase() },
      { ...head, keyId: `${keyId.slice(0, -1)}0` === keyId ? `${keyId.slice(0, -1)}1` : `${keyId.slice(0, -1)}0` },
      ...[...head.signature].map((c, i) => ({
        ...head,
        signature: head.signature.slice(0, i) + String.fromCharCode(c.charCodeAt(0) ^ 1) + head.signature.slice(i + 1),
      })),
    ];
    for (const h of altered) expect(verifyTreeHead(h, publicKey), JSON.stringify(h)).toBe(false);
    expect(verifyTreeHead(head, generateKeyPairSync('ed25519').publicKey)).toBe(false);
  });
});
