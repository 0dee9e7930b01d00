import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../../config/config.js';
import { KEY_BYTES, keyId, newKey } from './sealing.js';

/**
 * The master keys: the active one wraps segment data keys; retired ones can still unwrap during a rotation.
 * They come from configuration (`OBLIK_MASTER_KEY`, `OBLIK_RETIRED_MASTER_KEYS`), or for the embedded default
 * from a key file created on first run. A key file beside the database protects nothing against someone who
 * copies the whole data directory; it exists so that a first run works, and says so loudly.
 */
export interface MasterKeyring {
  readonly active: { readonly id: string; readonly key: Buffer };
  byId(id: string): Buffer | undefined;
  /** Where the active key came from, for the start-up banner. */
  readonly source:
    { readonly kind: 'config' } | { readonly kind: 'file'; readonly path: string; readonly created: boolean };
}

export class KeyConfigError extends Error {
  override name = 'KeyConfigError';
}

function decodeKey(text: string, what: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new KeyConfigError(`${what} must be ${KEY_BYTES} bytes in base64`);
  return key;
}

interface KeyFile {
  readonly format: 'oblik-master-keys/1';
  /** Newest first; the first is active. */
  readonly keys: readonly string[];
}

/** Loads the keyring; with no configured key, reads the key file or creates it (returning `created: true`). */
export function loadMasterKeyring(config: Config['keys']): MasterKeyring {
  const retired = config.retiredMasterKeys.map((k, i) => decodeKey(k, `OBLIK_RETIRED_MASTER_KEYS[${i}]`));
  if (config.masterKey) {
    return keyring([decodeKey(config.masterKey, 'OBLIK_MASTER_KEY'), ...retired], { kind: 'config' });
  }
  let created = false;
  if (!existsSync(config.keyFile)) {
    writeKeyFile(config.keyFile, [newKey()]);
    created = true;
  }
  const keys = readKeyFile(config.keyFile);
  return keyring([...keys, ...retired], { kind: 'file', path: config.keyFile, created });
}

/** Adds a fresh active key to the key file, keeping the earlier ones to unwrap until rewrapping is done. */
export function rotateKeyFile(path: string): { id: string } {
  const keys = readKeyFile(path);
  const fresh = newKey();
  writeKeyFile(path, [fresh, ...keys]);
  return { id: keyId(fresh) };
}

/** Drops every key from the key file but the active one (after all data keys are rewrapped). */
export function pruneKeyFile(path: string): void {
  const [active] = readKeyFile(path);
  if (active) writeKeyFile(path, [active]);
}

function keyring(keys: Buffer[], source: MasterKeyring['source']): MasterKeyring {
  const [first] = keys;
  if (!first) throw new KeyConfigError('no master key');
  const map = new Map(keys.map((k) => [keyId(k), k]));
  return { active: { id: keyId(first), key: first }, byId: (id) => map.get(id), source };
}

function readKeyFile(path: string): Buffer[] {
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  } catch (e) {
    throw new KeyConfigError(`cannot read the master key file ${path}: ${(e as Error).message}`);
  }
  if (parsed.format !== 'oblik-master-keys/1' || !Array.isArray(parsed.keys) || parsed.keys.length === 0) {
    throw new KeyConfigError(`${path} is not an Oblik master key file`);
  }
  return parsed.keys.map((k: unknown, i) => decodeKey(String(k), `${path} key ${i}`));
}

function writeKeyFile(path: string, keys: Buffer[]): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const body: KeyFile = { format: 'oblik-master-keys/1', keys: keys.map((k) => k.toString('base64')) };
  // Write a temporary file and rename it over the old one (atomic on POSIX): a torn key file would make every
  // template unreadable.
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
