import { type Kysely } from 'kysely';

/**
 * Bank transfers (issue 14): a relying party's Ed25519 signing key; where a person's biometrics came from when
 * another party handed them over (the registry's provenance, shown to the citizen); and the transfers
 * service's own tables. A transfer is unique per bank and body digest (a replayed batch is refused), and a
 * record's `claim_ref` (bank and external reference, set on the first record that claims it) is unique, so no
 * record is imported twice, even across batches or a restart.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('principals').addColumn('signing_key', 'text').execute();

  await db.schema
    .createTable('person_provenance')
    .addColumn('person_id', 'text', (c) => c.primaryKey())
    .addColumn('source_party', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('captured_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('transfers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bank_id', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('spool_file', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('transfers_digest_idx').on('transfers').columns(['bank_id', 'digest']).unique().execute();
  await db.schema.createIndex('transfers_status_idx').on('transfers').column('status').execute();

  await db.schema
    .createTable('transfer_records')
    .addColumn('transfer_id', 'text', (c) => c.notNull().references('transfers.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('external_ref', 'text')
    .addColumn('claim_ref', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('pseudonym', 'text')
    .addColumn('adjudication_id', 'text')
    .addColumn('error_code', 'text')
    .addColumn('processed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('transfer_records_pk', ['transfer_id', 'line_no'])
    .execute();
  await db.schema
    .createIndex('transfer_records_claim_idx')
    .on('transfer_records')
    .column('claim_ref')
    .unique()
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('transfer_records').execute();
  await db.schema.dropTable('transfers').execute();
  await db.schema.dropTable('person_provenance').execute();
  await db.schema.alterTable('principals').dropColumn('signing_key').execute();
}
