import type { Transactor, Tx } from '../../db/executor.js';
import { newKey, open, seal } from '../keys/sealing.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { DataKeys } from '../keys/data-keys.js';
import type { PersonKeyRow, PersonKeysRepository } from './person-keys.repository.js';

export type { PersonKeyRow };

/**
 * Each person's own template key, wrapped by their segment's data key. Erasure deletes the wrapped key, so
 * every copy of that person's sealed templates (replicas, a stale page cache, a later restore) is noise to
 * anyone who does not already hold the key. A data-key rotation re-wraps these keys, not the templates.
 */
export class PersonKeys {
  constructor(
    private readonly rows: PersonKeysRepository,
    private readonly transactions: Transactor,
    private readonly keys: DataKeys,
    private readonly clock: Clock,
  ) {}

  /** A fresh key for a new person and the row that stores it (inserted in the enrolment's transaction). */
  async mint(personId: string, segmentId: string): Promise<{ key: Buffer; row: PersonKeyRow }> {
    const { version, key: dataKey } = await this.keys.active(segmentId);
    const key = newKey();
    const wrapped = seal(dataKey, key, binding(personId, segmentId, version)).toString('base64');
    const row = { person_id: personId, segment_id: segmentId, key_version: version, wrapped_key: wrapped };
    return { key, row: { ...row, created_at: isoNow(this.clock) } };
  }

  insert(tx: Tx, row: PersonKeyRow): Promise<void> {
    return this.rows.insert(tx, row);
  }

  insertMany(tx: Tx, rows: readonly PersonKeyRow[]): Promise<void> {
    return this.rows.insertMany(tx, rows);
  }

  /** The person's key, or `undefined` if they have none (never enrolled, or erased). */
  async of(personId: string): Promise<Buffer | undefined> {
    const row = await this.rows.find(personId);
    return row && this.unwrap(row);
  }

  /** Keys of many people at once (matcher loading); people without one are absent. */
  async ofMany(personIds: readonly string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (const row of await this.rows.findMany(personIds)) out.set(row.person_id, await this.unwrap(row));
    return out;
  }

  /** Destroys the person's key (crypto-shredding); true if there was one. */
  shred(tx: Tx, personId: string): Promise<boolean> {
    return this.rows.delete(tx, personId);
  }

  /** Re-wraps a segment's person keys under its active data key; returns how many moved. */
  async rewrapSegment(segmentId: string): Promise<number> {
    const { version, key: dataKey } = await this.keys.active(segmentId);
    let moved = 0;
    for (;;) {
      const rows = await this.rows.staleOfSegment(segmentId, version);
      if (rows.length === 0) return moved;
      // Unwrapped before the transaction: on SQLite a key read inside it would wait for its connection.
      const rewrapped: { row: PersonKeyRow; wrapped: string }[] = [];
      for (const row of rows) {
        const wrapped = seal(dataKey, await this.unwrap(row), binding(row.person_id, segmentId, version));
        rewrapped.push({ row, wrapped: wrapped.toString('base64') });
      }
      await this.transactions.transaction(async (tx) => {
        for (const { row, wrapped } of rewrapped) {
          await this.rows.rewrap(tx, row.person_id, row.key_version, { version, wrapped });
        }
      });
      moved += rows.length;
    }
  }

  private async unwrap(row: PersonKeyRow): Promise<Buffer> {
    const dataKey = await this.keys.version(row.segment_id, row.key_version);
    return open(
      dataKey,
      Buffer.from(row.wrapped_key, 'base64'),
      binding(row.person_id, row.segment_id, row.key_version),
    );
  }
}

function binding(personId: string, segmentId: string, version: number): string {
  return `oblik/person-key/v1|${personId}|${segmentId}|${version}`;
}
