import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { MasterKeyring } from './master-keyring.js';
import { newKey, open, seal } from './sealing.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import { publicKeyId, rawPublicKey } from '../transparency/tree-head.js';
import type { SystemKeyRow, SystemKeysRepository } from './system-keys.repository.js';

/** An Ed25519 key pair kept by the deployment (the transparency log's signer). */
export interface SigningKey {
  readonly name: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The 32 raw bytes of the public key, as published. */
  readonly publicKeyRaw: Buffer;
  /** Lowercase hex SHA-256 of `publicKeyRaw`. */
  readonly keyId: string;
}

/**
 * Deployment-wide secrets and signing keys, each created on first use and stored only wrapped by the master
 * key (AES-256-GCM, bound to its name), like the segment data keys. Several instances may ask for a new name
 * at once: each inserts, the first insert wins, and every instance then uses the stored one.
 */
export class SystemKeys {
  private readonly secrets = new Map<string, Promise<Buffer>>();
  private readonly signers = new Map<string, Promise<SigningKey>>();

  constructor(
    private readonly rows: SystemKeysRepository,
    private readonly keyring: MasterKeyring,
    private readonly clock: Clock,
  ) {}

  /**
   * 32 random bytes named `name`, the same for every instance and every restart.
   * @example const key = await systemKeys.secret('pseudonyms'); // HMAC key for relying-party pseudonyms
   */
  secret(name: string): Promise<Buffer> {
    return this.cached(this.secrets, name, async () => {
      const row = await this.findOrCreate(name, () => ({ plaintext: newKey(), publicKey: null }));
      return this.asSecret(row);
    });
  }

  /** The Ed25519 key pair named `name` (private key stored as wrapped PKCS#8, raw public key beside it). */
  signingKey(name: string): Promise<SigningKey> {
    return this.cached(this.signers, name, async () => {
      const row = await this.findOrCreate(name, () => {
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        return {
          plaintext: privateKey.export({ format: 'der', type: 'pkcs8' }),
          publicKey: rawPublicKey(publicKey).toString('base64'),
        };
      });
      return this.asSigningKey(row);
    });
  }

  /** The secret if it exists, never creating it (for read-only tools such as `oblik audit verify`). */
  async existingSecret(name: string): Promise<Buffer | undefined> {
    const row = await this.rows.find(name);
    return row ? this.asSecret(row) : undefined;
  }

  /** The signing key if it exists, never creating it. */
  async existingSigningKey(name: string): Promise<SigningKey | undefined> {
    const row = await this.rows.find(name);
    return row ? this.asSigningKey(row) : undefined;
  }

  /** Re-wraps every system key not wrapped by the active master key (the second half of a master rotation). */
  async rewrapAll(): Promise<number> {
    let n = 0;
    for (const row of await this.rows.list()) {
      if (row.master_key_id === this.keyring.active.id) continue;
      const wrapped = seal(this.keyring.active.key, this.unwrap(row), binding(row.name)).toString('base64');
      await this.rows.rewrap(row.name, wrapped, this.keyring.active.id);
      n++;
    }
    return n;
  }

  private async findOrCreate(
    name: string,
    make: () => { plaintext: Buffer; publicKey: string | null },
  ): Promise<SystemKeyRow> {
    const found = await this.rows.find(name);
    if (found) return found;
    const { plaintext, publicKey } = make();
    await this.rows.insertIfAbsent({
      name,
      wrapped_key: seal(this.keyring.active.key, plaintext, binding(name)).toString('base64'),
      public_key: publicKey,
      master_key_id: this.keyring.active.id,
      created_at: isoNow(this.clock),
    });
    // Re-read: if another instance inserted first, its key is the one.
    const stored = await this.rows.find(name);
    if (!stored) throw new Error(`system key ${name} vanished right after it was created`);
    return stored;
  }

  private asSecret(row: SystemKeyRow): Buffer {
    if (row.public_key !== null) throw new Error(`system key ${row.name} is a signing key, not a secret`);
    return this.unwrap(row);
  }

  private asSigningKey(row: SystemKeyRow): SigningKey {
    if (row.public_key === null) throw new Error(`system key ${row.name} is a secret, not a signing key`);
    const privateKey = createPrivateKey({ key: this.unwrap(row), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey(privateKey);
    const publicKeyRaw = rawPublicKey(publicKey);
    // The public half is stored for readers; the private half decides, so a swapped public key is caught here.
    if (publicKeyRaw.toString('base64') !== row.public_key) {
      throw new Error(`system key ${row.name}: the stored public key does not belong to its private key`);
    }
    return { name: row.name, privateKey, publicKey, publicKeyRaw, keyId: publicKeyId(publicKey) };
  }

  private unwrap(row: SystemKeyRow): Buffer {
    const master = this.keyring.byId(row.master_key_id);
    if (!master) {
      throw new Error(
        `system key ${row.name} is wrapped by master key ${row.master_key_id}, which is not configured (set ` +
          'OBLIK_MASTER_KEY, or list the old key in OBLIK_RETIRED_MASTER_KEYS)',
      );
    }
    return open(master, Buffer.from(row.wrapped_key, 'base64'), binding(row.name));
  }

  private cached<T>(cache: Map<string, Promise<T>>, name: string, load: () => Promise<T>): Promise<T> {
    let value = cache.get(name);
    if (!value) {
      value = load();
      cache.set(name, value);
      // A failure is not remembered: the next call tries again.
      value.catch(() => cache.delete(name));
    }
    return value;
  }
}

function binding(name: string): string {
  return `oblik/system-key/v1|${name}`;
}
