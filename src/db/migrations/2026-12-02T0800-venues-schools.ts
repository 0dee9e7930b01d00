import type { Kysely } from 'kysely';

/**
 * Venue and office entry, and school meals (issue 12): each service's own tables. People are named by the
 * service's pseudonyms (`person_ref`), never by the registry's ids; faces are never stored here. An entry and a
 * meal are keyed by their place and the device's `event_id`, so a retried event cannot be applied twice.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('venues')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('relying_party_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('venue_access')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('venue_id', 'text', (c) => c.notNull().references('venues.id'))
    .addColumn('person_ref', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'text')
    .addColumn('valid_to', 'text')
    .addColumn('uses', 'integer')
    .addColumn('uses_spent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema
    .createIndex('venue_access_venue_idx')
    .on('venue_access')
    .columns(['venue_id', 'person_ref'])
    .execute();
  await db.schema
    .createTable('venue_entries')
    .addColumn('venue_id', 'text', (c) => c.notNull().references('venues.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('door_id', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('person_ref', 'text')
    .addColumn('access_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('venue_entries_pk', ['venue_id', 'event_id'])
    .execute();
  await db.schema.createIndex('venue_entries_at_idx').on('venue_entries').columns(['venue_id', 'at']).execute();

  await db.schema
    .createTable('schools')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('relying_party_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('school_pupils')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('person_ref', 'text', (c) => c.notNull())
    .addColumn('daily_allowance', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('school_pupils_person_uq', ['school_id', 'person_ref'])
    .execute();
  await db.schema
    .createTable('school_meals')
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text')
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('school_meals_pk', ['school_id', 'event_id'])
    .execute();
  await db.schema.createIndex('school_meals_day_idx').on('school_meals').columns(['school_id', 'day']).execute();
  await db.schema.createIndex('school_meals_pupil_idx').on('school_meals').columns(['pupil_id', 'day']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['school_meals', 'school_pupils', 'schools', 'venue_entries', 'venue_access', 'venues']) {
    await db.schema.dropTable(table).execute();
  }
}
