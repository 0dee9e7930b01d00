import type { Kysely } from 'kysely';

/**
 * Enrolment attempts counted per relying party and window (issue 9, point 3: a duplicate refusal tells a party
 * that a face is registered, so a party may not try faces without limit), and the alerts operators read when a
 * party passes the alert threshold.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('enrolment_attempts')
    .addColumn('relying_party_id', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('enrolment_attempts_pk', ['relying_party_id', 'window_start'])
    .execute();
  await db.schema
    .createTable('operator_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'text', (c) => c.notNull())
    .addColumn('relying_party_id', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('operator_alerts_segment_idx')
    .on('operator_alerts')
    .columns(['segment_id', 'created_at'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('operator_alerts').execute();
  await db.schema.dropTable('enrolment_attempts').execute();
}
