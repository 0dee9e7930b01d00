import { Migrator, type Generated, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import { buildRegistry, type Registry } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { openStore } from '../../src/db/connection.js';
import { createTransactor } from '../../src/db/executor.js';
import { migrations } from '../../src/db/migrations/index.js';
import { loadMasterKeyring } from '../../src/modules/keys/master-keyring.js';
import { seal, vectorToBytes } from '../../src/modules/keys/sealing.js';
import { DataKeys } from '../../src/modules/keys/data-keys.js';
import { createSegmentKeysRepository } from '../../src/modules/keys/segment-keys.repository.js';
import { hashApiKey } from '../../src/modules/principals/api-key.js';
import { FEDERAL_SEGMENT } from '../../src/modules/segments/segment-id.js';
import { systemClock } from '../../src/ports/clock.js';
import { randomId } from '../../src/ports/ids.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { ADMIN_KEY, b64, client } from '../registry.js';
import { newTestStore, testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

/** The last migration of the previous release. */
const PREVIOUS_RELEASE = '2026-11-23T0900-registry';

/** The relying party's API key in the previous release's store (stored, as then, only as its SHA-256). */
const METRO_KEY = 'oblik_metro-from-the-previous-release-0123456789';

/** The tables the previous release wrote, as they were at `2026-11-23T0900-registry`. */
interface PreviousRelease {
  segments: { id: string; name: string; created_at: string };
  principals: {
    id: string;
    role: string;
    name: string;
    key_hash: string;
    purposes: string;
    segments: string;
    rights: string;
    require_liveness: number;
    created_at: string;
    revoked_at: string | null;
  };
  persons: {
    id: string;
    segment_id: string;
    status: string;
    enrolled_by: string;
    created_at: string;
    deleted_at: string | null;
  };
  person_consents: { person_id: string; purpose: string; source: string; granted_at: string };
  templates: {
    id: string;
    person_id: string;
    segment_id: string;
    model_pack: string;
    key_version: number;
    sealed_vector: Buffer;
    channel: string;
    enrolled_by: string;
    quality: string;
    liveness: number;
    created_at: string;
  };
  template_events: {
    seq: Generated<number>;
    kind: string;
    template_id: string;
    person_id: string;
    segment_id: string;
    at: string;
  };
  audit_events: {
    seq: Generated<number>;
    id: string;
    at: string;
    actor_id: string;
    actor_role: string;
    action: string;
    purpose: string | null;
    segment_id: string | null;
    person_id: string | null;
    template_id: string | null;
    result: string;
    score: number | null;
    request_id: string | null;
    detail: string | null;
  };
}

/** What a template row says besides its id and its sealing: an upgrade must keep it all. */
const METADATA = [
  'person_id',
  'segment_id',
  'model_pack',
  'channel',
  'enrolled_by',
  'quality',
  'liveness',
  'created_at',
] as const;

interface LegacyPerson {
  readonly name: 'amy' | 'howard';
  readonly personId: string;
  readonly templateId: string;
  readonly grantedAt: string;
  readonly template: PreviousRelease['templates'];
}

const face = async (name: string, n: number) => b64(await readFace('small', name, `${name}${n}.png`));

describe.each(dialects)('upgrade from the previous release on %s', (dialect) => {
  let engine: FaceEngine;
  let store: TestStore;
  const open: Registry[] = [];

  beforeAll(async () => {
    engine = await startTestEngine();
    store = await newTestStore(dialect);
  });
  afterAll(async () => {
    for (const r of open) await r.close().catch(() => undefined);
    await store?.dispose();
    await engine?.close();
  });

  it('keeps every person, consent, template and audit record, and matches them after the upgrade', async () => {
    // The same configuration (data directory, master key file, database) before and after the upgrade.
    const config = () =>
      loadConfig({
        ...store.env,
        OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        OBLIK_SEGMENTS: 'moscow:Moscow',
        OBLIK_LOG_LEVEL: 'silent',
      });

    // 1–2. The previous release's store, written as that release wrote it.
    const metroId = randomId('rp');
    const people: LegacyPerson[] = [];
    const auditId = randomId('evt');
    const storedBefore = new Map<string, Pick<PreviousRelease['templates'], (typeof METADATA)[number]>>();
    let moscowKeyRow: { wrapped_key: string; master_key_id: string } | undefined;
    const old = openStore(config().database);
    try {
      const migrator = new Migrator({
        db: old.db,
        provider: { getMigrations: () => Promise.resolve(migrations) },
        migrationTableName: 'oblik_migrations',
        migrationLockTableName: 'oblik_migrations_lock',
      });
      const migrated = await migrator.migrateTo(PREVIOUS_RELEASE);
      expect(migrated.error).toBeUndefined();
      expect(migrated.results?.map((r) => r.migrationName)).toEqual([PREVIOUS_RELEASE]);

      const db = old.db as unknown as Kysely<PreviousRelease>;
      const dataKeys = new DataKeys(
        createSegmentKeysRepository(old.db),
        createTransactor(old.db),
        loadMasterKeyring(config().keys),
        systemClock,
      );
      const at = new Date(Date.now() - 86_400_000).toISOString();
      // Start-up of the previous release: the federal segment and the configured one, each with data key v1.
      for (const s of [FEDERAL_SEGMENT, { id: 'moscow', name: 'Moscow' }]) {
        await old.db.transaction().execute(async (tx) => {
          await (tx as unknown as Kysely<PreviousRelease>)
            .insertInto('segments')
            .values({ id: s.id, name: s.name, created_at: at })
            .execute();
          await dataKeys.createFirst(tx, s.id);
        });
      }
      moscowKeyRow = await old.db
        .selectFrom('segment_keys')
        .select(['wrapped_key', 'master_key_id'])
        .where('segment_id', '=', 'moscow')
        .executeTakeFirstOrThrow();

      await db
        .insertInto('principals')
        .values({
          id: metroId,
          role: 'relying_party',
          name: 'Metro',
          key_hash: hashApiKey(METRO_KEY),
          purposes: JSON.stringify(['transit_fare']),
          segments: JSON.stringify(['moscow']),
          rights: JSON.stringify(['enrol', 'verify', 'identify']),
          require_liveness: 0,
          created_at: at,
          revoked_at: null,
        })
        .execute();

      const { version, key } = await dataKeys.active('moscow');
      for (const name of ['amy', 'howard'] as const) {
        const image = await readFace('small', name, `${name}1.png`);
        // As the previous release enrolled: the quality gate enforced, liveness measured but not required.
        const capture = await engine.capture(image, { enforceQuality: true, requireLiveness: false });
        const personId = randomId('psn');
        const templateId = randomId('tpl');
        const { modelPack, vector } = capture.template;
        const aad = `oblik/template/v1|${templateId}|${personId}|moscow|${modelPack}`;
        const template = {
          id: templateId,
          person_id: personId,
          segment_id: 'moscow',
          model_pack: modelPack,
          key_version: version,
          sealed_vector: seal(key, vectorToBytes(vector), aad),
          channel: 'kiosk',
          enrolled_by: metroId,
          quality: JSON.stringify({ score: capture.face.quality.score, ...capture.face.quality.measures }),
          liveness: capture.face.liveness,
          created_at: at,
        };
        await db.transaction().execute(async (tx) => {
          await tx
            .insertInto('persons')
            .values({
              id: personId,
              segment_id: 'moscow',
              status: 'active',
              enrolled_by: metroId,
              created_at: at,
              deleted_at: null,
            })
            .execute();
          await tx
            .insertInto('person_consents')
            .values({ person_id: personId, purpose: 'transit_fare', source: 'enrolment', granted_at: at })
            .execute();
          await tx.insertInto('templates').values(template).execute();
          await tx
            .insertInto('template_events')
            .values({ kind: 'added', template_id: templateId, person_id: personId, segment_id: 'moscow', at })
            .execute();
        });
        people.push({ name, personId, templateId, grantedAt: at, template });
      }
      const amy = people[0]!;
      await db
        .insertInto('audit_events')
        .values({
          id: auditId,
          at,
          actor_id: metroId,
          actor_role: 'relying_party',
          action: 'enrolment',
          purpose: null,
          segment_id: 'moscow',
          person_id: amy.personId,
          template_id: amy.templateId,
          result: 'enrolled',
          score: null,
          request_id: randomId('req'),
          detail: JSON.stringify({ channel: 'kiosk', consents: ['transit_fare'], modelPack: amy.template.model_pack }),
        })
        .execute();
      // What the store held (PostgreSQL's `real` keeps a float4 of the liveness, for instance).
      for (const row of await db.selectFrom('templates').select(METADATA).execute()) {
        storedBefore.set(row.person_id, row);
      }
    } finally {
      await old.close();
    }
    expect(storedBefore.size).toBe(2);

    // 3. The current release starts on that store.
    const first = await buildRegistry(config(), { engine });
    open.push(first);
    const { db } = first.store;

    // 4. Nothing is re-created, every legacy template is moved into the segment's transform.
    expect(first.startup.segmentsCreated).toEqual([]);
    expect(first.startup.templatesRenewed).toBe(2);
    expect(first.startup.templatesLoaded).toBe(2);
    expect(
      await db
        .selectFrom('segment_keys')
        .select(['version', 'wrapped_key', 'master_key_id', 'state'])
        .where('segment_id', '=', 'moscow')
        .execute(),
    ).toEqual([{ version: 1, ...moscowKeyRow, state: 'active' }]);

    const persons = await db.selectFrom('persons').select(['id', 'status', 'enrolled_by']).execute();
    expect(persons.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(
      people
        .map((p) => ({ id: p.personId, status: 'active', enrolled_by: metroId }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    );

    const templates = await db.selectFrom('templates').selectAll().execute();
    expect(templates).toHaveLength(2);
    for (const p of people) {
      const [row, ...more] = templates.filter((t) => t.person_id === p.personId);
      expect(more).toEqual([]);
      // A renewed template is a new template: new id, new sealing, the same metadata.
      expect(row).toMatchObject({ ...storedBefore.get(p.personId), transform_version: 1 });
      expect(row!.id).not.toBe(p.templateId);
      const key = await db
        .selectFrom('person_keys')
        .select(['segment_id', 'key_version'])
        .where('person_id', '=', p.personId)
        .executeTakeFirst();
      expect(key).toEqual({ segment_id: 'moscow', key_version: 1 });
      // The change feed tells other instances: the legacy template removed, the renewed one added.
      const events = await db
        .selectFrom('template_events')
        .select(['kind', 'template_id'])
        .where('person_id', '=', p.personId)
        .orderBy('seq')
        .execute();
      expect(events).toEqual([
        { kind: 'added', template_id: p.templateId },
        { kind: 'removed', template_id: p.templateId },
        { kind: 'added', template_id: row!.id },
      ]);
    }
    expect(await db.selectFrom('segment_transforms').select(['segment_id', 'version', 'state']).execute()).toEqual([
      { segment_id: 'moscow', version: 1, state: 'active' },
    ]);

    // Consents: the purpose-only table is gone; each became a grant to the party that enrolled the person.
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    expect(tables).not.toContain('person_consents');
    const grants = await db.selectFrom('consent_grants').selectAll().execute();
    expect(grants).toHaveLength(2);
    for (const p of people) {
      expect(grants.filter((g) => g.person_id === p.personId)).toEqual([
        {
          id: expect.stringMatching(/^cns_/),
          person_id: p.personId,
          relying_party_id: metroId,
          purpose: 'transit_fare',
          scope: 'segment',
          source: 'enrolment',
          granted_by: metroId,
          granted_at: p.grantedAt,
          expires_at: null,
          revoked_at: null,
          revoked_by: null,
        },
      ]);
    }

    // The previous release's audit record is kept as it was.
    expect(
      await db
        .selectFrom('audit_events')
        .select(['actor_id', 'action', 'result', 'segment_id', 'person_id', 'template_id'])
        .where('id', '=', auditId)
        .execute(),
    ).toEqual([
      {
        actor_id: metroId,
        action: 'enrolment',
        result: 'enrolled',
        segment_id: 'moscow',
        person_id: people[0]!.personId,
        template_id: people[0]!.templateId,
      },
    ]);

    // The matcher holds both templates, in the segment's transform-1 gallery only.
    expect(first.matcher.size('moscow@1')).toBe(2);
    expect(first.matcher.size()).toBe(2);

    // The relying party, with its old key, identifies both people and verifies them by their pseudonyms.
    const metro = client(first.app)(METRO_KEY);
    const pseudonyms = new Map<string, string>();
    for (const p of people) {
      const found = await metro('POST', '/v1/identifications', {
        purpose: 'transit_fare',
        image: await face(p.name, 2),
      });
      expect(found.status, JSON.stringify(found.body)).toBe(200);
      expect(found.body.candidates).toHaveLength(1);
      const pseudonym = found.body.candidates[0].personId as string;
      expect(pseudonym).toMatch(/^psn_/);
      expect(people.map((q) => q.personId)).not.toContain(pseudonym);
      pseudonyms.set(p.name, pseudonym);

      const verified = await metro('POST', '/v1/verifications', {
        personId: pseudonym,
        purpose: 'transit_fare',
        image: await face(p.name, 3),
      });
      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
      expect(verified.body.match).toBe(true);
    }
    expect(new Set(pseudonyms.values()).size).toBe(2);
    // Each pseudonym stands for the right person.
    for (const p of people) {
      expect(
        await db
          .selectFrom('pseudonyms')
          .select('person_id')
          .where('relying_party_id', '=', metroId)
          .where('pseudonym', '=', pseudonyms.get(p.name)!)
          .executeTakeFirst(),
      ).toEqual({ person_id: p.personId });
    }
    await first.close();
    open.splice(open.indexOf(first), 1);

    // A second start finds nothing left to move, and matches the same people under the same pseudonyms.
    const second = await buildRegistry(config(), { engine });
    open.push(second);
    expect(second.startup.templatesRenewed).toBe(0);
    expect(second.startup.templatesLoaded).toBe(2);
    expect(second.matcher.size('moscow@1')).toBe(2);
    const kept = await second.store.db.selectFrom('templates').select(['id', 'transform_version']).execute();
    expect(kept.map((t) => `${t.id}@${t.transform_version}`).sort()).toEqual(templates.map((t) => `${t.id}@1`).sort());
    const again = await client(second.app)(METRO_KEY)('POST', '/v1/identifications', {
      purpose: 'transit_fare',
      image: await face('howard', 4),
    });
    expect(again.status).toBe(200);
    expect(again.body.candidates.map((c: { personId: string }) => c.personId)).toEqual([pseudonyms.get('howard')]);
  });
});
