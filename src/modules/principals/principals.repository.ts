import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, PrincipalTable } from '../../db/schema.js';

export type PrincipalRow = Selectable<PrincipalTable>;
export type NewPrincipalRow = Insertable<PrincipalTable>;

/** SQL for principals (administrators, operators, relying parties). Keys are stored hashed only. */
export const principalsRepository = {
  async insert(db: Kysely<Database>, row: NewPrincipalRow): Promise<void> {
    await db.insertInto('principals').values(row).execute();
  },

  findActiveByKeyHash(db: Kysely<Database>, keyHash: string): Promise<PrincipalRow | undefined> {
    return db
      .selectFrom('principals')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  },

  findByKeyHash(db: Kysely<Database>, keyHash: string): Promise<PrincipalRow | undefined> {
    return db.selectFrom('principals').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  },

  find(db: Kysely<Database>, id: string): Promise<PrincipalRow | undefined> {
    return db.selectFrom('principals').selectAll().where('id', '=', id).executeTakeFirst();
  },

  list(db: Kysely<Database>, role?: PrincipalRow['role']): Promise<PrincipalRow[]> {
    let q = db.selectFrom('principals').selectAll();
    if (role) q = q.where('role', '=', role);
    return q.orderBy('created_at').orderBy('id').execute();
  },

  async revoke(db: Kysely<Database>, id: string, at: string): Promise<boolean> {
    const r = await db
      .updateTable('principals')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
};
