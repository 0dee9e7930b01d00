import { sql, type Kysely } from 'kysely';

/**
 * Identity documents and telecom contracts (issue 13): the registry's keyed hash of each person's document,
 * and the telecom service's own tables (contracts, port requests, fraud alerts). A number is held by at most
 * one contract that has not ended, and by at most one pending port request: partial unique indexes, so a race
 * between two instances is refused by the store.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('person_documents')
    .addColumn('person_id', 'text', (c) => c.primaryKey())
    .addColumn('document_hash', 'text', (c) => c.notNull())
    .addColumn('bound_by', 'text', (c) => c.notNull())
    .addColumn('bound_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('person_documents_hash_idx').on('person_documents').column('document_hash').execute();

  await db.schema
    .createTable('telecom_contracts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('msisdn', 'text', (c) => c.notNull())
    .addColumn('holder_ref', 'text', (c) => c.notNull())
    .addColumn('person_ref', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text')
    .addColumn('ending_requested_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('registry', 'text', (c) => c.notNull())
    .addColumn('sealed_document', 'text', (c) => c.notNull())
    .addColumn('port_request_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('telecom_contracts_serving_idx')
    .on('telecom_contracts')
    .column('msisdn')
    .unique()
    .where(sql.ref('status'), '<>', 'ended')
    .execute();
  await db.schema
    .createIndex('telecom_contracts_msisdn_idx')
    .on('telecom_contracts')
    .columns(['msisdn', 'started_at'])
    .execute();
  await db.schema
    .createIndex('telecom_contracts_holder_idx')
    .on('telecom_contracts')
    .columns(['holder_ref', 'status'])
    .execute();
  await db.schema
    .createIndex('telecom_contracts_due_idx')
    .on('telecom_contracts')
    .columns(['status', 'ends_at'])
    .execute();

  await db.schema
    .createTable('telecom_port_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('msisdn', 'text', (c) => c.notNull())
    .addColumn('recipient_operator_id', 'text', (c) => c.notNull())
    .addColumn('donor_operator_id', 'text', (c) => c.notNull())
    .addColumn('donor_contract_id', 'text', (c) => c.notNull().references('telecom_contracts.id'))
    .addColumn('recipient_contract_id', 'text', (c) => c.notNull())
    .addColumn('holder_ref', 'text', (c) => c.notNull())
    .addColumn('person_ref', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'text', (c) => c.notNull())
    .addColumn('registry', 'text', (c) => c.notNull())
    .addColumn('sealed_document', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('switch_at', 'text', (c) => c.notNull())
    .addColumn('objection_reason', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('close_reason', 'text')
    .execute();
  await db.schema
    .createIndex('telecom_port_requests_pending_idx')
    .on('telecom_port_requests')
    .column('msisdn')
    .unique()
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('telecom_port_requests_due_idx')
    .on('telecom_port_requests')
    .columns(['status', 'switch_at'])
    .execute();
  await db.schema
    .createIndex('telecom_port_requests_donor_idx')
    .on('telecom_port_requests')
    .columns(['donor_operator_id', 'requested_at'])
    .execute();
  await db.schema
    .createIndex('telecom_port_requests_recipient_idx')
    .on('telecom_port_requests')
    .columns(['recipient_operator_id', 'requested_at'])
    .execute();

  await db.schema
    .createTable('telecom_fraud_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('person_ref', 'text', (c) => c.notNull())
    .addColumn('msisdn', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('telecom_fraud_alerts_operator_idx')
    .on('telecom_fraud_alerts')
    .columns(['operator_id', 'created_at'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('telecom_fraud_alerts').execute();
  await db.schema.dropTable('telecom_port_requests').execute();
  await db.schema.dropTable('telecom_contracts').execute();
  await db.schema.dropTable('person_documents').execute();
}
