import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Tx } from '../../db/executor.js';
import type { Database, PrincipalTable } from '../../db/schema.js';

export type PrincipalRow = Selectable<PrincipalTable>;
export type NewPrincipalRow = Insertable<PrincipalTable>;

/** SQL for principals (administrators, operators, relying parties). Keys are stored hashed only. */
export function createPrincipalsRepository(db: Kysely<Database>) {
  return {
    async insert(tx: Tx, row: NewPrincipalRow): Promise<void> {
      await tx.insertInto('principals').values(row).execute();
    },

    findActiveByKeyHash(keyHash: string): Promise<PrincipalRow | undefined> {
      return db
        .selectFrom('principals')
        .selectAll()
        .where('key_hash', '=', keyHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
    },

    findByKeyHash(keyHash: string): Promise<PrincipalRow | undefined> {
      return db.selectFrom('principals').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    },

    find(id: string): Promise<PrincipalRow | undefined> {
      return db.selectFrom('principals').selectAll().where('id', '=', id).executeTakeFirst();
    },

    list(role?: PrincipalRow['role']): Promise<PrincipalRow[]> {
      let q = db.selectFrom('principals').selectAll();
      if (role) q = q.where('role', '=', role);
      return q.orderBy('created_at').orderBy('id').execute();
    },

    /** Sets an active relying party's signing key; false if there is no such party. */
    async setSigningKey(tx: Tx, id: string, pem: string): Promise<boolean> {
      const r = await tx
        .updateTable('principals')
        .set({ signing_key: pem })
        .where('id', '=', id)
        .where('role', '=', 'relying_party')
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async revoke(tx: Tx, id: string, at: string): Promise<boolean> {
      const r = await tx
        .updateTable('principals')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

export type PrincipalsRepository = ReturnType<typeof createPrincipalsRepository>;
