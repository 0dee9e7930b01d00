import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import { client, livePhoto, newOperator, registerRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

describe.each(dialects)('renewable templates on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let restart: (env?: Record<string, string>) => Promise<Registry>;
  let metro: { key: string; id: string };
  const citizens: Record<string, string> = {};

  const identify = async (segment: string) =>
    client(registry.app)(metro.key)('POST', '/v1/identifications', {
      purpose: 'transit_fare',
      segment,
      image: await livePhoto('anna', 2),
    });
  const storedVectors = async (personId: string) => {
    const rows = await registry.store.db
      .selectFrom('templates')
      .selectAll()
      .where('person_id', '=', personId)
      .execute();
    return Promise.all(rows.map(async (r) => (await registry.services.vault.open(r))!));
  };

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store, restart } = await startTestRegistry(dialect, engine));
    metro = await registerRelyingParty(registry.app, { name: 'Metro', segments: ['moscow', 'kazan'] });
    const enrol = async (who: 'anna' | 'boris', segment: string) => {
      const res = await client(registry.app)(metro.key)('POST', '/v1/persons', {
        segment,
        channel: 'kiosk',
        image: await livePhoto(who, 0),
        consents: ['transit_fare'],
      });
      expect(res.status).toBe(201);
      citizens[`${who}@${segment}`] = res.body.receipt.citizenId;
    };
    await enrol('anna', 'moscow');
    await enrol('boris', 'moscow');
    await enrol('anna', 'kazan');
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('stores templates only transformed: the same face in two segments does not match across them', async () => {
    const [moscow] = await storedVectors(citizens['anna@moscow']!);
    const [kazan] = await storedVectors(citizens['anna@kazan']!);
    const probe = await engine.capture(Buffer.from(await livePhoto('anna', 0), 'base64'), { requireLiveness: false });
    // Same photo: raw it would score ~1; each segment's secret rotation makes the stored forms unrelated.
    expect(Math.abs(cosine(moscow!, kazan!))).toBeLessThan(0.25);
    expect(Math.abs(cosine(moscow!, probe.template.vector))).toBeLessThan(0.25);
    // While matching in each segment works as before.
    expect((await identify('moscow')).body.candidates).toHaveLength(1);
    expect((await identify('kazan')).body.candidates).toHaveLength(1);
  });

  it('re-keys a segment without any image: templates still match, copies taken before match nothing', async () => {
    const before = await identify('moscow');
    const leaked = await storedVectors(citizens['anna@moscow']!);
    const pack = registry.engine.modelPack.tag;
    const asProbe = (gallery: string) =>
      registry.matcher.identifyEach([{ segment: gallery, query: leaked[0]! }], pack, { k: 3 });
    expect(asProbe('moscow@1')[0]?.score).toBeGreaterThan(0.99); // the copy matches while its transform lives

    expect((await client(registry.app)(metro.key)('POST', '/v1/segments/moscow/rekey')).status).toBe(403);
    const operator = client(registry.app)(await newOperator(registry.app, ['moscow']));
    const rekeyed = await operator('POST', '/v1/segments/moscow/rekey');
    expect(rekeyed.status).toBe(200);
    expect(rekeyed.body).toEqual({
      segment: 'moscow',
      transformVersion: 2,
      templatesMoved: 2,
      destroyedVersions: [1],
      views: [{ relyingPartyId: null, transformVersion: 2, templatesMoved: 2, destroyedVersions: [1] }],
    });

    const after = await identify('moscow');
    expect(after.body.candidates.map((c: { personId: string }) => c.personId)).toEqual(
      before.body.candidates.map((c: { personId: string }) => c.personId),
    );
    expect(after.body.candidates[0].score).toBeCloseTo(before.body.candidates[0].score, 5);
    // The stolen copy, offered against the renewed gallery, is noise; the old transform is gone for good.
    expect(registry.matcher.segments()).not.toContain('moscow@1');
    expect(Math.max(...asProbe('moscow@2').map((h) => h.score))).toBeLessThan(0.3);
    const old = await registry.store.db
      .selectFrom('segment_transforms')
      .selectAll()
      .where('segment_id', '=', 'moscow')
      .where('version', '=', 1)
      .executeTakeFirstOrThrow();
    expect([old.state, old.wrapped_seed]).toEqual(['destroyed', null]);
    // Kazan was not touched.
    expect((await identify('kazan')).body.candidates).toHaveLength(1);
    expect(registry.matcher.segments()).toContain('kazan@1');

    // A restarted instance loads the renewed templates and matches the same.
    await registry.close();
    registry = await restart();
    const restarted = await identify('moscow');
    expect(restarted.body.candidates[0].score).toBeCloseTo(before.body.candidates[0].score, 5);
  });

  it("keeps a party's enrolments under its own view, renewed alone by re-keying that view", async () => {
    const bank = await registerRelyingParty(registry.app, { name: 'Bank', ownTemplateView: true });
    const bankApi = client(registry.app)(bank.key);
    const enrolled = await bankApi('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'bank_branch',
      image: await livePhoto('gleb', 0),
      consents: ['transit_fare'],
    });
    expect(enrolled.status).toBe(201);
    const gleb = enrolled.body.receipt.citizenId as string;
    const row = await registry.store.db
      .selectFrom('templates')
      .selectAll()
      .where('person_id', '=', gleb)
      .executeTakeFirstOrThrow();
    expect([row.transform_view, row.transform_version]).toEqual([bank.id, 1]);
    const pack = registry.engine.modelPack.tag;
    const viewGallery = `moscow@${bank.id}:1`;
    expect(registry.matcher.size(viewGallery)).toBe(1);
    const leaked = (await storedVectors(gleb))[0]!;
    const probe = async () =>
      bankApi('POST', '/v1/identifications', { purpose: 'transit_fare', image: await livePhoto('gleb', 1) });
    const before = await probe();
    expect(before.body.candidates).toHaveLength(1);
    // The party's view and the segment's own are unrelated spaces.
    expect(
      Math.max(
        ...registry.matcher.identifyEach([{ segment: 'moscow@2', query: leaked }], pack, { k: 3 }).map((h) => h.score),
      ),
    ).toBeLessThan(0.3);

    const segmentTemplates = async () =>
      (await registry.store.db.selectFrom('templates').select('id').where('transform_view', '=', '').execute())
        .map((t) => t.id)
        .sort();
    const untouched = await segmentTemplates();
    const operator = client(registry.app)(await newOperator(registry.app, ['moscow']));
    const rekeyed = await operator('POST', '/v1/segments/moscow/rekey', { relyingPartyId: bank.id });
    expect(rekeyed.status).toBe(200);
    expect(rekeyed.body.views).toEqual([
      { relyingPartyId: bank.id, transformVersion: 2, templatesMoved: 1, destroyedVersions: [1] },
    ]);
    // Only the party's view moved; the segment's templates kept their ids and gallery.
    expect(await segmentTemplates()).toEqual(untouched);
    expect(registry.matcher.segments().sort()).toEqual(['kazan@1', 'moscow@2', `moscow@${bank.id}:2`].sort());
    const after = await probe();
    expect(after.body.candidates.map((c: { personId: string }) => c.personId)).toEqual(
      before.body.candidates.map((c: { personId: string }) => c.personId),
    );
    const renewed = registry.matcher.identifyEach([{ segment: `moscow@${bank.id}:2`, query: leaked }], pack, { k: 3 });
    expect(Math.max(...renewed.map((h) => h.score))).toBeLessThan(0.3);
  });
});
