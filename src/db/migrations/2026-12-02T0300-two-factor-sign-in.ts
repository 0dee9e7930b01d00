import type { Kysely } from 'kysely';

/**
 * Two-factor citizen sign-in (issue 9): a face alone opens only a sign-in challenge, which a second factor (a
 * one-time code sent to the citizen's contact) completes; and the sign-in throttle's counters, one row per key
 * per window, raised by one atomic upsert so parallel attempts cannot all slip under the limit.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_challenges')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    // What the challenge leads to: `sign_in` (face shown, second factor due), `step_up`, `contact` (a new
    // contact to confirm; its sealed address waits in `sealed_contact`).
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text')
    .addColumn('code_expires_at', 'text')
    .addColumn('codes_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sealed_contact', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('sign_in_challenges_person_idx').on('sign_in_challenges').column('person_id').execute();

  await db.schema
    .createTable('sign_in_counters')
    .addColumn('counter_key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_in_counters_pk', ['counter_key', 'window_start'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_in_counters').execute();
  await db.schema.dropTable('sign_in_challenges').execute();
}
