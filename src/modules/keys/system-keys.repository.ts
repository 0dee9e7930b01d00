import type { Kysely } from 'kysely';
import type { Database, SystemKeyTable } from '../../db/schema.js';

export type SystemKeyRow = SystemKeyTable;

/** SQL for deployment-wide secrets and signing keys (stored only wrapped by a master key). */
export function createSystemKeysRepository(db: Kysely<Database>) {
  return {
    find(name: string): Promise<SystemKeyRow | undefined> {
      return db.selectFrom('system_keys').selectAll().where('name', '=', name).executeTakeFirst();
    },

    /** Inserts the key unless one of that name exists (another instance won the race); the caller re-reads. */
    async insertIfAbsent(row: SystemKeyRow): Promise<void> {
      await db
        .insertInto('system_keys')
        .values(row)
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    },

    list(): Promise<SystemKeyRow[]> {
      return db.selectFrom('system_keys').selectAll().orderBy('name').execute();
    },

    async rewrap(name: string, wrapped: string, masterKeyId: string): Promise<void> {
      await db
        .updateTable('system_keys')
        .set({ wrapped_key: wrapped, master_key_id: masterKeyId })
        .where('name', '=', name)
        .execute();
    },
  };
}

export type SystemKeysRepository = ReturnType<typeof createSystemKeysRepository>;
