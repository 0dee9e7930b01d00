import type { Kysely } from 'kysely';
import type { Database, PersonKeyTable } from '../../db/schema.js';
import { newKey, open, seal } from '../../keys/sealing.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { DataKeys } from '../keys/data-keys.js';

export type PersonKeyRow = PersonKeyTable;

/**
 * Each person's own template key, wrapped by their segment's data key. Erasure deletes the wrapped key, so
 * every copy of that person's sealed templates (replicas, a stale page cache, a later restore) is noise to
 * anyone who does not already hold the key. A data-key rotation re-wraps these keys, not the templates.
 */
export class PersonKeys {
  constructor(
    private readonly db: Kysely<Database>,
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

  async insert(tx: Kysely<Database>, row: PersonKeyRow): Promise<void> {
    await tx.insertInto('person_keys').values(row).execute();
  }

  async insertMany(tx: Kysely<Database>, rows: readonly PersonKeyRow[]): Promise<void> {
    if (rows.length)
      await tx
        .insertInto('person_keys')
        .values([...rows])
        .execute();
  }

  /** The person's key, or `undefined` if they have none (never enrolled, or erased). */
  async of(personId: string, db: Kysely<Database> = this.db): Promise<Buffer | undefined> {
    const row = await db.selectFrom('person_keys').selectAll().where('person_id', '=', personId).executeTakeFirst();
    return row && this.unwrap(row);
  }

  /** Keys of many people at once (matcher loading); people without one are absent. */
  async ofMany(personIds: readonly string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (let i = 0; i < personIds.length; i += 1000) {
      const rows = await this.db
        .selectFrom('person_keys')
        .selectAll()
        .where('person_id', 'in', personIds.slice(i, i + 1000))
        .execute();
      for (const row of rows) out.set(row.person_id, await this.unwrap(row));
    }
    return out;
  }

  /** Destroys the person's key (crypto-shredding); true if there was one. */
  async shred(tx: Kysely<Database>, personId: string): Promise<boolean> {
    const r = await tx.deleteFrom('person_keys').where('person_id', '=', personId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Re-wraps a segment's person keys under its active data key; returns how many moved. */
  async rewrapSegment(segmentId: string): Promise<number> {
    const { version, key: dataKey } = await this.keys.active(segmentId);
    let moved = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('person_keys')
        .selectAll()
        .where('segment_id', '=', segmentId)
        .where('key_version', '!=', version)
        .limit(1000)
        .execute();
      if (rows.length === 0) return moved;
      await this.db.transaction().execute(async (tx) => {
        for (const row of rows) {
          const key = await this.unwrap(row);
          const wrapped = seal(dataKey, key, binding(row.person_id, segmentId, version)).toString('base64');
          await tx
            .updateTable('person_keys')
            .set({ key_version: version, wrapped_key: wrapped })
            .where('person_id', '=', row.person_id)
            .where('key_version', '=', row.key_version)
            .execute();
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
