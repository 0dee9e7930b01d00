import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMasterKeyring, pruneKeyFile, rotateKeyFile } from './master-keyring.js';
import { bytesToVector, keyId, newKey, open, seal, vectorToBytes } from './sealing.js';

describe('sealing', () => {
  it('round-trips, uses a fresh nonce each time, and refuses a wrong key, binding or a flipped bit', () => {
    const key = newKey();
    const data = Buffer.from('template bytes');
    const a = seal(key, data, 'row-1');
    const b = seal(key, data, 'row-1');
    expect(a.equals(b)).toBe(false);
    expect(open(key, a, 'row-1').equals(data)).toBe(true);
    expect(() => open(newKey(), a, 'row-1')).toThrow(/authentication/);
    expect(() => open(key, a, 'row-2')).toThrow(/authentication/);
    const tampered = Buffer.from(a);
    tampered[14] = tampered[14]! ^ 1;
    expect(() => open(key, tampered, 'row-1')).toThrow(/authentication/);
    expect(() => open(key, a.subarray(0, 20), 'row-1')).toThrow();
  });

  it('encodes vectors exactly', () => {
    const v = Float32Array.from([0.1, -0.25, 3.5e-8, 1]);
    expect(bytesToVector(vectorToBytes(v))).toEqual(v);
  });
});

describe('the master keyring', () => {
  it('creates a private key file on first run, keeps it, and rotates it keeping old keys until pruned', () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'oblik-keys-')), 'data', 'master.key');
    const first = loadMasterKeyring({ keyFile, retiredMasterKeys: [] });
    expect(first.source).toEqual({ kind: 'file', path: keyFile, created: true });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = loadMasterKeyring({ keyFile, retiredMasterKeys: [] });
    expect(again.active.id).toBe(first.active.id);
    expect(again.source).toMatchObject({ created: false });

    const { id } = rotateKeyFile(keyFile);
    const rotated = loadMasterKeyring({ keyFile, retiredMasterKeys: [] });
    expect(rotated.active.id).toBe(id);
    expect(rotated.byId(first.active.id)).toBeDefined();
    pruneKeyFile(keyFile);
    expect(loadMasterKeyring({ keyFile, retiredMasterKeys: [] }).byId(first.active.id)).toBeUndefined();
    expect(JSON.parse(readFileSync(keyFile, 'utf8')).keys).toHaveLength(1);
  });

  it('takes a configured key over the file, with retired keys still able to unwrap', () => {
    const active = newKey();
    const old = newKey();
    const ring = loadMasterKeyring({
      keyFile: '/nonexistent/never-created',
      masterKey: active.toString('base64'),
      retiredMasterKeys: [old.toString('base64')],
    });
    expect(ring.active.id).toBe(keyId(active));
    expect(ring.byId(keyId(old))?.equals(old)).toBe(true);
    expect(() => loadMasterKeyring({ keyFile: '/x', masterKey: 'c2hvcnQ=', retiredMasterKeys: [] })).toThrow(
      /32 bytes/,
    );
  });
});
