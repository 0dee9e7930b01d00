import { sql, type Kysely } from 'kysely';

/**
 * Audit rows authenticated at write and published as commitments (issue 9, points 1 and 6):
 * - `leaf_version`: the format of the row's leaf (1: the record itself, 2: a salted commitment), set when the
 *   log integrates it; every row already integrated is version 1.
 * - `mac`: HMAC-SHA256 of the row's canonical entry under the sealed `audit-row-mac` system key, written with
 *   the row; integration refuses a row without a valid one.
 * - `refusal`: why integration refused the row (it then never joins the log).
 * - `log_state.mac_from_seq`: rows up to this sequence number were written before rows carried a MAC; only
 *   they may join the log without one (as version 1 leaves, as they always would have).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('leaf_version', 'integer').execute();
  await db.schema.alterTable('audit_events').addColumn('mac', 'text').execute();
  await db.schema.alterTable('audit_events').addColumn('refusal', 'text').execute();
  await sql`update audit_events set leaf_version = 1 where leaf_index is not null`.execute(db);
  await db.schema
    .alterTable('log_state')
    .addColumn('mac_from_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update log_state set mac_from_seq = coalesce((select max(seq) from audit_events), 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('log_state').dropColumn('mac_from_seq').execute();
  for (const column of ['refusal', 'mac', 'leaf_version']) {
    await db.schema.alterTable('audit_events').dropColumn(column).execute();
  }
}
