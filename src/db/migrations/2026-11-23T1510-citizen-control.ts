import { sql, type Kysely } from 'kysely';
import { randomId } from '../../ports/ids.js';
import { dialectOf } from '../dialect.js';

/**
 * Citizen control: consent grants per relying party (replacing the purpose-only enrolment consents), locks,
 * guardians and the segment's age rules, per-person template keys (crypto-shredding) and per-segment template
 * transforms (renewable templates), citizen sessions and sign-in codes, relying-party pseudonyms, incidents
 * and the notification outbox.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  const blob = pg ? 'bytea' : 'blob';

  await db.schema.alterTable('persons').addColumn('birth_date', 'text').execute();
  await db.schema
    .alterTable('segments')
    .addColumn('age_of_consent', 'integer', (c) => c.notNull().defaultTo(18))
    .execute();
  await db.schema
    .alterTable('segments')
    .addColumn('minor_purposes', 'text', (c) => c.notNull().defaultTo('["school_meals","transit_fare","venue_access"]'))
    .execute();
  // NULL: a template from before renewable templates (raw vector, sealed under the segment key); upgraded at start.
  await db.schema.alterTable('templates').addColumn('transform_version', 'integer').execute();
  await db.schema
    .alterTable('templates')
    .addColumn('transform_view', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  // 1: the party's enrolments are kept under its own template view (renewable separately).
  await db.schema
    .alterTable('principals')
    .addColumn('own_template_view', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Re-keying walks a segment's templates in id order.
  await db.schema.createIndex('templates_segment_id_idx').on('templates').columns(['segment_id', 'id']).execute();

  await db.schema
    .createTable('consent_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('relying_party_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .execute();
  await db.schema.createIndex('consent_grants_person_idx').on('consent_grants').column('person_id').execute();
  await db.schema
    .createIndex('consent_grants_party_idx')
    .on('consent_grants')
    .columns(['relying_party_id', 'purpose', 'scope'])
    .execute();

  // Enrolment-time consents were per purpose; they become grants to the party that enrolled the person.
  const old = await db
    .selectFrom('person_consents as c')
    .innerJoin('persons as p', 'p.id', 'c.person_id')
    .select(['c.person_id', 'c.purpose', 'c.source', 'c.granted_at', 'p.enrolled_by'])
    .execute();
  for (const row of old as { person_id: string; purpose: string; granted_at: string; enrolled_by: string }[]) {
    await db
      .insertInto('consent_grants')
      .values({
        id: randomId('cns'),
        person_id: row.person_id,
        relying_party_id: row.enrolled_by,
        purpose: row.purpose,
        scope: 'segment',
        source: 'enrolment',
        granted_by: row.enrolled_by,
        granted_at: row.granted_at,
        expires_at: null,
        revoked_at: null,
        revoked_by: null,
      })
      .execute();
  }
  await db.schema.dropTable('person_consents').execute();

  await db.schema
    .createTable('person_locks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('purpose', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('unlocked_until', 'text')
    .addColumn('removed_at', 'text')
    .execute();
  await db.schema.createIndex('person_locks_person_idx').on('person_locks').column('person_id').execute();

  await db.schema
    .createTable('guardianships')
    .addColumn('minor_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('guardian_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .addPrimaryKeyConstraint('guardianships_pk', ['minor_id', 'guardian_id'])
    .execute();
  await db.schema.createIndex('guardianships_guardian_idx').on('guardianships').column('guardian_id').execute();

  await db.schema
    .createTable('person_keys')
    .addColumn('person_id', 'text', (c) => c.primaryKey().references('persons.id'))
    .addColumn('segment_id', 'text', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull())
    .addColumn('wrapped_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('person_keys_version_idx')
    .on('person_keys')
    .columns(['segment_id', 'key_version'])
    .execute();

  await db.schema
    .createTable('segment_transforms')
    .addColumn('segment_id', 'text', (c) => c.notNull().references('segments.id'))
    // '' for the segment's own view; a relying party's id for that party's own view (its enrolments).
    .addColumn('view', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull())
    // NULL once destroyed: the old transform can no longer be computed by anyone.
    .addColumn('wrapped_seed', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('destroyed_at', 'text')
    .addPrimaryKeyConstraint('segment_transforms_pk', ['segment_id', 'view', 'version'])
    .execute();

  await db.schema
    .createTable('citizen_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();

  await db.schema
    .createTable('sign_in_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();

  await db.schema
    .createTable('pseudonyms')
    .addColumn('relying_party_id', 'text', (c) => c.notNull())
    .addColumn('pseudonym', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pseudonyms_pk', ['relying_party_id', 'pseudonym'])
    .execute();
  await db.schema.createIndex('pseudonyms_person_idx').on('pseudonyms').column('person_id').execute();

  await db.schema
    .createTable('person_contacts')
    .addColumn('person_id', 'text', (c) => c.primaryKey().references('persons.id'))
    .addColumn('key_version', 'integer', (c) => c.notNull())
    .addColumn('sealed_contact', sql.raw(blob), (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('responsible_kind', 'text', (c) => c.notNull())
    .addColumn('responsible_id', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'text')
    .addColumn('relying_party_id', 'text')
    .addColumn('window_from', 'text')
    .addColumn('window_to', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('affected', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  // Once per citizen per incident, whatever retries or concurrent instances do.
  await db.schema
    .createIndex('notifications_once_idx')
    .on('notifications')
    .columns(['incident_id', 'person_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('notifications_status_idx')
    .on('notifications')
    .columns(['status', 'created_at'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('person_consents')
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('person_consents_pk', ['person_id', 'purpose'])
    .execute();
  const grants = await db
    .selectFrom('consent_grants')
    .select(['person_id', 'purpose', 'granted_at'])
    .where('revoked_at', 'is', null)
    .execute();
  const seen = new Set<string>();
  for (const g of grants as { person_id: string; purpose: string; granted_at: string }[]) {
    if (seen.has(`${g.person_id}|${g.purpose}`)) continue;
    seen.add(`${g.person_id}|${g.purpose}`);
    await db
      .insertInto('person_consents')
      .values({ person_id: g.person_id, purpose: g.purpose, source: 'enrolment', granted_at: g.granted_at })
      .execute();
  }
  for (const table of [
    'notifications',
    'incidents',
    'person_contacts',
    'pseudonyms',
    'sign_in_codes',
    'citizen_sessions',
    'segment_transforms',
    'person_keys',
    'guardianships',
    'person_locks',
    'consent_grants',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('templates_segment_id_idx').execute();
  await db.schema.alterTable('principals').dropColumn('own_template_view').execute();
  await db.schema.alterTable('templates').dropColumn('transform_view').execute();
  await db.schema.alterTable('templates').dropColumn('transform_version').execute();
  await db.schema.alterTable('segments').dropColumn('minor_purposes').execute();
  await db.schema.alterTable('segments').dropColumn('age_of_consent').execute();
  await db.schema.alterTable('persons').dropColumn('birth_date').execute();
}
