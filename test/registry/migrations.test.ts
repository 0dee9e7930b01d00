import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openStore } from '../../src/db/connection.js';
import { migrateToLatest, migrateToNothing } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { newTestStore, testDialects } from '../stores.js';

const dialects = await testDialects();

describe.each(dialects)('migrations on %s', (dialect) => {
  it('apply in order, undo completely, and re-apply to the same schema', async () => {
    const test = await newTestStore(dialect);
    const store = openStore(loadConfig(test.env).database);
    try {
      const first = await migrateToLatest(store.db);
      expect(first.map((r) => r.migrationName)).toEqual(Object.keys(migrations));
      const schema = async () =>
        (await store.db.introspection.getTables())
          .filter((t) => !t.name.startsWith('oblik_migrations'))
          .map((t) => `${t.name}(${t.columns.map((c) => `${c.name}:${c.dataType}:${c.isNullable}`).join(',')})`)
          .sort();
      const migrated = await schema();
      expect(migrated.map((t) => t.split('(')[0])).toEqual([
        'adjudications',
        'audit_events',
        'citizen_sessions',
        'consent_grants',
        'guardianships',
        'idempotency_records',
        'incidents',
        'log_state',
        'notifications',
        'person_contacts',
        'person_keys',
        'person_locks',
        'persons',
        'principals',
        'pseudonyms',
        'segment_keys',
        'segment_transforms',
        'segments',
        'sign_in_codes',
        'system_keys',
        'template_events',
        'templates',
        'tree_heads',
      ]);
      expect(await migrateToLatest(store.db)).toEqual([]);
      await migrateToNothing(store.db);
      expect(await schema()).toEqual([]);
      await migrateToLatest(store.db);
      expect(await schema()).toEqual(migrated);
    } finally {
      await store.close();
      await test.dispose();
    }
  });
});
