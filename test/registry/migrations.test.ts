import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openStore } from '../../src/db/connection.js';
import { migrateToLatest, migrateToNothing } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { schemaSnapshot } from '../schema-snapshot.js';
import { newTestStore, testDialects } from '../stores.js';

const dialects = await testDialects();

describe.each(dialects)('migrations on %s', (dialect) => {
  it('apply in order, and each undoes exactly: columns, indexes and foreign keys come back the same', async () => {
    const test = await newTestStore(dialect);
    const store = openStore(loadConfig(test.env).database);
    try {
      const first = await migrateToLatest(store.db);
      expect(first.map((r) => r.migrationName)).toEqual(Object.keys(migrations));
      const fresh = await schemaSnapshot(store.db);
      expect(fresh.columns.map((t) => t.split('(')[0])).toEqual([
        'adjudications',
        'audit_events',
        'citizen_sessions',
        'consent_grants',
        'enrolment_attempts',
        'guardianships',
        'idempotency_records',
        'incidents',
        'log_state',
        'notifications',
        'operator_alerts',
        'parking_events',
        'parking_facilities',
        'parking_sessions',
        'payment_charges',
        'person_contacts',
        'person_documents',
        'person_keys',
        'person_locks',
        'person_provenance',
        'persons',
        'principals',
        'pseudonyms',
        'school_meals',
        'school_pupils',
        'schools',
        'segment_keys',
        'segment_transforms',
        'segments',
        'sign_in_challenges',
        'sign_in_codes',
        'sign_in_counters',
        'system_keys',
        'telecom_contracts',
        'telecom_fraud_alerts',
        'telecom_port_requests',
        'template_events',
        'templates',
        'transfer_records',
        'transfers',
        'transit_gates',
        'transit_passes',
        'transit_riders',
        'transit_tariffs',
        'tree_heads',
        'venue_access',
        'venue_entries',
        'venues',
      ]);
      // The introspection reads what it claims to: named indexes and foreign keys the migrations create.
      expect(fresh.indexes.join('\n')).toMatch(/audit_leaf_idx/);
      expect(fresh.indexes.join('\n')).toMatch(/guardianships_guardian_idx/);
      expect(fresh.indexes.join('\n')).toMatch(/telecom_contracts_serving_idx/);
      expect(fresh.foreignKeys.join('\n')).toMatch(/templates.*person_id.*persons/);
      expect(fresh.foreignKeys.join('\n')).toMatch(/notifications.*incident_id.*incidents/);
      expect(await migrateToLatest(store.db)).toEqual([]);

      // Each migration's `down` undoes its own `up`: step down one at a time, and back up each time.
      const migrator = new Migrator({
        db: store.db,
        provider: { getMigrations: () => Promise.resolve(migrations) },
        migrationTableName: 'oblik_migrations',
        migrationLockTableName: 'oblik_migrations_lock',
      });
      for (let steps = 1; steps <= Object.keys(migrations).length; steps++) {
        for (let i = 0; i < steps; i++) expect((await migrator.migrateDown()).error).toBeUndefined();
        await migrateToLatest(store.db);
        expect(await schemaSnapshot(store.db)).toEqual(fresh);
      }

      await migrateToNothing(store.db);
      expect(await schemaSnapshot(store.db)).toEqual({ columns: [], indexes: [], foreignKeys: [] });
      await migrateToLatest(store.db);
      expect(await schemaSnapshot(store.db)).toEqual(fresh);
    } finally {
      await store.close();
      await test.dispose();
    }
  });
});
