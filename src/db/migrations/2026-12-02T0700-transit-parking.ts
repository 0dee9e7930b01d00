import { sql, type Kysely } from 'kysely';

/**
 * Face Pay for transit and parking (issue 11): the services' own tables. A gate's `eventId` is unique per
 * operator, so a retried pass finds its first answer; charges are an outbox (written with the decision, sent
 * to the payment port after commit, retried until they settle); a person has at most one open parking session
 * per facility (a partial unique index, so two instances racing are refused by the store).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('transit_tariffs')
    .addColumn('operator_id', 'text', (c) => c.primaryKey())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('base_fare', 'integer', (c) => c.notNull())
    .addColumn('transfer_minutes', 'integer', (c) => c.notNull())
    .addColumn('daily_cap', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('transit_gates')
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('gate_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('transit_gates_pk', ['operator_id', 'gate_id'])
    .execute();
  await db.schema
    .createTable('transit_riders')
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('rider_ref', 'text', (c) => c.notNull())
    .addColumn('payment_token', 'text', (c) => c.notNull())
    .addColumn('blocked', 'integer', (c) => c.notNull())
    .addColumn('debt', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('transit_riders_pk', ['operator_id', 'rider_ref'])
    .execute();
  await db.schema
    .createTable('transit_passes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('gate_id', 'text', (c) => c.notNull())
    .addColumn('rider_ref', 'text')
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('charge_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('transit_passes_event_idx')
    .on('transit_passes')
    .columns(['operator_id', 'event_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('transit_passes_rider_idx')
    .on('transit_passes')
    .columns(['operator_id', 'rider_ref', 'created_at'])
    .execute();

  await db.schema
    .createTable('payment_charges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('payer_ref', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('token', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('settled_at', 'text')
    .execute();
  await db.schema
    .createIndex('payment_charges_status_idx')
    .on('payment_charges')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema
    .createIndex('payment_charges_payer_idx')
    .on('payment_charges')
    .columns(['operator_id', 'payer_ref', 'created_at'])
    .execute();

  await db.schema
    .createTable('parking_facilities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('free_minutes', 'integer', (c) => c.notNull())
    .addColumn('per_hour', 'integer', (c) => c.notNull())
    .addColumn('daily_max', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('parking_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('facility_id', 'text', (c) => c.notNull().references('parking_facilities.id'))
    .addColumn('parker_ref', 'text', (c) => c.notNull())
    .addColumn('plate', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'text', (c) => c.notNull())
    .addColumn('exited_at', 'text')
    .addColumn('charge_id', 'text')
    .execute();
  await db.schema
    .createIndex('parking_sessions_open_idx')
    .on('parking_sessions')
    .columns(['facility_id', 'parker_ref'])
    .unique()
    .where(sql.ref('status'), '=', 'open')
    .execute();
  await db.schema
    .createIndex('parking_sessions_parker_idx')
    .on('parking_sessions')
    .columns(['operator_id', 'parker_ref', 'entered_at'])
    .execute();
  await db.schema
    .createTable('parking_events')
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('parking_events_pk', ['operator_id', 'event_id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'parking_events',
    'parking_sessions',
    'parking_facilities',
    'payment_charges',
    'transit_passes',
    'transit_riders',
    'transit_gates',
    'transit_tariffs',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
