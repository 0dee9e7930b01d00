import type { Transactor, Tx } from '../../db/executor.js';
import type { MasterKeyring } from './master-keyring.js';
import { newKey, open, seal } from './sealing.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { SegmentKeysRepository } from './segment-keys.repository.js';

/**
 * Segment data keys: each segment seals its templates under its own AES-256 key, and the master key wraps
 * those keys. Several versions can exist during a rotation; a template records the version that sealed it, so
 * reads never stop while a rotation re-seals in the background.
 */
export class DataKeys {
  private readonly keys = new Map<string, Map<number, Buffer>>();
  private readonly activeVersion = new Map<string, number>();

  constructor(
    private readonly rows: SegmentKeysRepository,
    private readonly transactions: Transactor,
    private readonly keyring: MasterKeyring,
    private readonly clock: Clock,
  ) {}

  /** Loads and unwraps every data key; fails loudly if a key's master key is not configured. */
  async load(): Promise<void> {
    const rows = await this.rows.list();
    for (const row of rows) {
      const master = this.keyring.byId(row.master_key_id);
      if (!master) {
        throw new Error(
          `data key ${row.segment_id} v${row.version} is wrapped by master key ${row.master_key_id}, which is not ` +
            'configured (set OBLIK_MASTER_KEY, or list the old key in OBLIK_RETIRED_MASTER_KEYS)',
        );
      }
      const key = open(master, Buffer.from(row.wrapped_key, 'base64'), wrapBinding(row.segment_id, row.version));
      this.remember(row.segment_id, row.version, key, row.state === 'active');
    }
  }

  /** Creates version 1 of a new segment's key, in the segment's own transaction. */
  async createFirst(tx: Tx, segmentId: string): Promise<void> {
    await this.insertVersion(tx, segmentId, 1);
  }

  /** The key that seals new templates of a segment. */
  async active(segmentId: string): Promise<{ version: number; key: Buffer }> {
    let version = this.activeVersion.get(segmentId);
    if (version === undefined) {
      await this.load();
      version = this.activeVersion.get(segmentId);
      if (version === undefined) throw new Error(`segment ${segmentId} has no data key`);
    }
    return { version, key: await this.version(segmentId, version) };
  }

  /** A given version (reloaded from the store if another instance created it). */
  async version(segmentId: string, version: number): Promise<Buffer> {
    let key = this.keys.get(segmentId)?.get(version);
    if (!key) {
      await this.load();
      key = this.keys.get(segmentId)?.get(version);
      if (!key) throw new Error(`data key ${segmentId} v${version} does not exist`);
    }
    return key;
  }

  /** Makes a fresh version active and retires the others (which still open what they sealed). */
  async rotate(segmentId: string): Promise<number> {
    await this.load();
    const versions = [...(this.keys.get(segmentId)?.keys() ?? [])];
    const next = Math.max(0, ...versions) + 1;
    await this.transactions.transaction(async (tx) => {
      await this.insertVersion(tx, segmentId, next);
      await this.rows.retireAllBut(tx, segmentId, next);
    });
    this.activeVersion.set(segmentId, next);
    return next;
  }

  /** Re-wraps every data key not wrapped by the active master key (the second half of a master rotation). */
  async rewrapAll(): Promise<number> {
    const rows = await this.rows.list();
    let n = 0;
    for (const row of rows) {
      if (row.master_key_id === this.keyring.active.id) continue;
      const key = await this.version(row.segment_id, row.version);
      const wrapped = seal(this.keyring.active.key, key, wrapBinding(row.segment_id, row.version));
      await this.rows.rewrap(row.segment_id, row.version, wrapped.toString('base64'), this.keyring.active.id);
      n++;
    }
    return n;
  }

  private async insertVersion(tx: Tx, segmentId: string, version: number): Promise<void> {
    const key = newKey();
    await this.rows.insert(tx, {
      segment_id: segmentId,
      version,
      wrapped_key: seal(this.keyring.active.key, key, wrapBinding(segmentId, version)).toString('base64'),
      master_key_id: this.keyring.active.id,
      state: 'active',
      created_at: isoNow(this.clock),
    });
    // Remembered before commit: if the transaction rolls back, the key is simply never used.
    this.remember(segmentId, version, key, true);
  }

  private remember(segmentId: string, version: number, key: Buffer, active: boolean): void {
    let versions = this.keys.get(segmentId);
    if (!versions) this.keys.set(segmentId, (versions = new Map<number, Buffer>()));
    versions.set(version, key);
    if (active && version >= (this.activeVersion.get(segmentId) ?? 0)) this.activeVersion.set(segmentId, version);
  }
}

function wrapBinding(segmentId: string, version: number): string {
  return `oblik/data-key/v1|${segmentId}|${version}`;
}
