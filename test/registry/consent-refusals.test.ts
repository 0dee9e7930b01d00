import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { createUsageRepository } from '../../src/modules/citizen/usage.repository.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import {
  ADMIN_KEY,
  b64,
  client,
  newEnrolment,
  newOperator,
  registerRelyingParty,
  rowCount,
  startTestRegistry,
} from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

/**
 * Issue 9, points 3 to 5: re-enrolment and enrolment go through consent and reveal no score; operators stay in
 * their segments when an incident revokes credentials; refusals tell a relying party nothing about the person.
 * Grants are revoked, expired and locked in the store directly (the citizen's own calls are tested elsewhere).
 */
describe.each(dialects)('consent refusals on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let metro: { key: string; id: string };
  let bank: { key: string; id: string };
  /** Per test person: the metro's pseudonym and the citizen's own id. */
  const people: Record<string, { pseudonym: string; citizenId: string }> = {};
  const photo = async (who: string, n: number) => b64(await readFace('small', who, `${who}${n}.png`));
  const as = (key: string) => client(registry.app)(key);
  const admin = () => as(ADMIN_KEY);
  const verify = async (who: string) =>
    as(metro.key)('POST', '/v1/verifications', {
      personId: people[who]!.pseudonym,
      purpose: 'transit_fare',
      image: await photo(who, 2),
    });
  const reEnrol = async (who: string, image?: string) =>
    as(metro.key)('POST', `/v1/persons/${people[who]!.pseudonym}/templates`, {
      channel: 'kiosk',
      image: image ?? (await photo(who, 2)),
    });
  const templatesOf = async (who: string) =>
    (
      await registry.store.db
        .selectFrom('templates')
        .select('id')
        .where('person_id', '=', people[who]!.citizenId)
        .execute()
    ).length;
  const now = () => new Date().toISOString();
  const revokeGrants = (who: string) =>
    registry.store.db
      .updateTable('consent_grants')
      .set({ revoked_at: now(), revoked_by: people[who]!.citizenId })
      .where('person_id', '=', people[who]!.citizenId)
      .execute();

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine));
    metro = await registerRelyingParty(registry.app, { name: 'Metro', purposes: ['transit_fare'] });
    bank = await registerRelyingParty(registry.app, { name: 'Bank', purposes: ['transit_fare'] });
    for (const [who, consents] of [
      ['amy', ['transit_fare']],
      ['penny', []],
      ['howard', ['transit_fare']],
      ['leonard', ['transit_fare']],
      ['raj', ['transit_fare']],
      ['sheldon', ['transit_fare']],
      ['bernadette', ['transit_fare']],
    ] as const) {
      const r = await as(metro.key)('POST', '/v1/persons', await newEnrolment([who, `${who}1.png`], { consents }));
      expect(r.status).toBe(201);
      people[who] = { pseudonym: r.body.personId, citizenId: r.body.receipt.citizenId };
    }
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  describe('point 3: enrolment and re-enrolment', () => {
    it('refuses re-enrolment under a lock, after revocation and after expiry, as verification does', async () => {
      expect((await reEnrol('amy')).status).toBe(201); // the control: consented, unlocked
      await registry.store.db
        .insertInto('person_locks')
        .values({
          id: 'lck_consentrefusals0000000001',
          person_id: people['howard']!.citizenId,
          purpose: null,
          created_by: people['howard']!.citizenId,
          created_at: now(),
          unlocked_until: null,
          removed_at: null,
        })
        .execute();
      await revokeGrants('raj');
      await registry.store.db
        .updateTable('consent_grants')
        .set({ expires_at: '2020-01-01T00:00:00.000Z' })
        .where('person_id', '=', people['sheldon']!.citizenId)
        .execute();
      for (const who of ['howard', 'raj', 'sheldon']) {
        const before = await templatesOf(who);
        const r = await reEnrol(who);
        expect([who, r.status, r.body]).toEqual([who, 403, { code: 'consent.missing', message: expect.any(String) }]);
        expect(await templatesOf(who)).toBe(before);
        expect((await verify(who)).body.code).toBe('consent.missing');
      }
      const refusals = await registry.store.db
        .selectFrom('audit_events')
        .select(['person_id', 'result'])
        .where('action', '=', 'template.add')
        .where('result', '=', 'refused:consent.missing')
        .execute();
      expect(refusals.map((r) => r.person_id).sort()).toEqual(
        ['howard', 'raj', 'sheldon'].map((w) => people[w]!.citizenId).sort(),
      );
    });

    it('answers a face mismatch on re-enrolment with no score and no threshold', async () => {
      const r = await reEnrol('amy', await photo('penny', 2));
      expect([r.status, r.body.code]).toEqual([409, 'enrolment.face_mismatch']);
      expect(r.body.data).toBeUndefined();
    });

    it('refuses consents at enrolment for a purpose the party is not registered for, writing nothing', async () => {
      const before = await rowCount(registry, 'persons');
      const r = await as(metro.key)(
        'POST',
        '/v1/persons',
        await newEnrolment(['amy', 'amy3.png'], { consents: ['transit_fare', 'venue_access'] }),
      );
      expect([r.status, r.body.code, r.body.data]).toEqual([
        422,
        'consent.purpose_not_offered',
        { purposes: ['transit_fare'] },
      ]);
      expect(await rowCount(registry, 'persons')).toBe(before);
    });

    it("records a refused duplicate in the existing person's history: the citizen sees who tried", async () => {
      const r = await as(bank.key)('POST', '/v1/persons', await newEnrolment(['amy', 'amy4.png'], { consents: [] }));
      expect([r.status, Object.keys(r.body.data)]).toEqual([409, ['adjudicationId']]);
      // The rows the citizen's usage history is read from.
      const [last] = await createUsageRepository(registry.store.db).page(people['amy']!.citizenId, {}, 1);
      expect(last).toMatchObject({
        action: 'enrolment',
        result: 'refused:enrolment.duplicate',
        actor_id: bank.id,
        actor_name: 'Bank',
      });
    });
  });

  describe('point 5: refusals tell a relying party nothing about the person', () => {
    it('consent.missing carries no reason: not for no consent, nor a lock', async () => {
      for (const who of ['penny', 'howard']) {
        const r = await verify(who);
        expect([who, r.status, r.body]).toEqual([who, 403, { code: 'consent.missing', message: expect.any(String) }]);
      }
      // The auditors still see why.
      const reasons = await registry.store.db
        .selectFrom('audit_events')
        .select('detail')
        .where('action', '=', 'verification')
        .where('result', '=', 'refused:consent.missing')
        .where('person_id', '=', people['howard']!.citizenId)
        .execute();
      expect(reasons.map((r) => JSON.parse(r.detail!).reason)).toContain('locked');
    });

    it('an erased person answers exactly as a revoked one', async () => {
      const erased = await admin()('DELETE', `/v1/persons/${people['leonard']!.citizenId}`);
      expect(erased.status).toBe(200);
      const [leonard, raj] = [await verify('leonard'), await verify('raj')];
      expect([leonard.status, leonard.body]).toEqual([raj.status, raj.body]);
      expect(raj.status).toBe(403);
      const [reLeonard, reRaj] = [await reEnrol('leonard'), await reEnrol('raj')];
      expect([reLeonard.status, reLeonard.body]).toEqual([reRaj.status, reRaj.body]);
    });

    it('an operator reading a person outside its segments gets the answer for an unknown id', async () => {
      const kazan = as(await newOperator(registry.app, ['kazan']));
      const moscow = as(await newOperator(registry.app, ['moscow']));
      const citizenId = people['amy']!.citizenId;
      const unknownId = 'psn_aaaaaaaaaaaaaaaaaaaaaaaaaa';
      expect((await moscow('GET', `/v1/persons/${citizenId}`)).status).toBe(200);
      for (const [method, suffix] of [
        ['GET', ''],
        ['DELETE', ''],
      ] as const) {
        const outside = await kazan(method, `/v1/persons/${citizenId}${suffix}`);
        const unknown = await kazan(method, `/v1/persons/${unknownId}${suffix}`);
        expect([outside.status, JSON.stringify(outside.body).replaceAll(citizenId, unknownId)]).toEqual([
          404,
          JSON.stringify(unknown.body),
        ]);
      }
      expect(await templatesOf('amy')).toBeGreaterThan(0);
    });

    it('an identification replayed after a revocation no longer returns the revoked person', async () => {
      const key = { 'idempotency-key': 'identify-bernadette-1' };
      const body = { purpose: 'transit_fare', image: await photo('bernadette', 2) };
      const first = await as(metro.key)('POST', '/v1/identifications', body, key);
      expect(first.body.candidates.map((c: { personId: string }) => c.personId)).toEqual([
        people['bernadette']!.pseudonym,
      ]);
      const again = await as(metro.key)('POST', '/v1/identifications', body, key);
      expect(again.body).toEqual(first.body);
      await revokeGrants('bernadette');
      const replayed = await as(metro.key)('POST', '/v1/identifications', body, key);
      expect([replayed.status, replayed.body]).toEqual([200, { ...first.body, candidates: [] }]);
    });
  });

  describe('point 4: operators stay in their segments', () => {
    it('refuses an operator revoking credentials beyond its segments, before anything is written', async () => {
      const kazanParty = await registerRelyingParty(registry.app, { name: 'Kazan metro', segments: ['kazan'] });
      const both = await registerRelyingParty(registry.app, { name: 'Rail', segments: ['moscow', 'kazan'] });
      const kazanOperator = await newOperator(registry.app, ['kazan']);
      const moscowOperator = as(await newOperator(registry.app, ['moscow']));
      const incident = (kind: 'relying_party' | 'operator', id: string) => ({
        responsible: { kind, id },
        scope: { segmentId: 'moscow' },
        description: 'credentials leaked',
        contact: 'dpo@moscow.example',
        rekey: false,
        revokeCredentials: true,
      });
      const operatorId = (await as(kazanOperator)('GET', '/v1/me')).body.id as string;
      const incidents = async () =>
        Number(
          (
            await registry.store.db
              .selectFrom('incidents')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      for (const [kind, id] of [
        ['relying_party', kazanParty.id],
        ['relying_party', both.id],
        ['operator', operatorId],
      ] as const) {
        const r = await moscowOperator('POST', '/v1/incidents', incident(kind, id));
        expect([id, r.status, r.body.code]).toEqual([id, 403, 'auth.forbidden']);
      }
      expect(await incidents()).toBe(0);
      expect((await as(kazanParty.key)('GET', '/v1/segments')).status).toBe(200);
      expect((await as(both.key)('GET', '/v1/segments')).status).toBe(200);
      expect((await as(kazanOperator)('GET', '/v1/segments')).status).toBe(200);
      // Within its segment it may; an administrator may beyond.
      const own = await moscowOperator('POST', '/v1/incidents', incident('relying_party', bank.id));
      expect([own.status, own.body.credentialsRevoked]).toEqual([201, true]);
      const byAdmin = await admin()('POST', '/v1/incidents', incident('relying_party', kazanParty.id));
      expect([byAdmin.status, byAdmin.body.credentialsRevoked]).toEqual([201, true]);
      expect((await as(kazanParty.key)('GET', '/v1/segments')).status).toBe(401);
    });
  });
});

describe.each(dialects)('enrolment attempts per relying party on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  const env = { OBLIK_ENROLMENT_MAX_ATTEMPTS: '3', OBLIK_ENROLMENT_ALERT_ATTEMPTS: '2' };

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine, env));
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('counts attempts atomically per party, refuses past the limit with Retry-After, and alerts the operators', async () => {
    const prober = await registerRelyingParty(registry.app, { name: 'Prober' });
    const other = await registerRelyingParty(registry.app, { name: 'Honest kiosk' });
    const as = (key: string) => client(registry.app)(key);
    // Six at once: exactly three are let through to the duplicate search, whatever the interleaving.
    const replies = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async () =>
        as(prober.key)('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png'], { consents: [] })),
      ),
    );
    const limited = replies.filter((r) => r.status === 429);
    expect(limited).toHaveLength(3);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(limited[0]!.body).toMatchObject({
      code: 'enrolment.rate_limited',
      data: { retryAfterSeconds: expect.any(Number) },
    });
    expect(Number(limited[0]!.headers['retry-after'])).toBe(limited[0]!.body.data.retryAfterSeconds);
    expect(await rowCount(registry, 'persons')).toBe(1);
    // Another party is not held back by the prober's count.
    expect((await as(other.key)('POST', '/v1/persons', await newEnrolment(['penny', 'penny1.png']))).status).toBe(201);

    const alerts = async (key: string) => as(key)('GET', '/v1/alerts');
    const seen = await alerts(await newOperator(registry.app, ['moscow']));
    expect(seen.status).toBe(200);
    expect(seen.body.alerts).toEqual([
      {
        id: expect.stringMatching(/^alr_/),
        kind: 'enrolment.attempts',
        segment: 'moscow',
        relyingPartyId: prober.id,
        detail: expect.objectContaining({ attempts: 2, maxAttempts: 3 }),
        createdAt: expect.any(String),
      },
    ]);
    expect((await alerts(ADMIN_KEY)).body.alerts).toEqual(seen.body.alerts);
    expect((await alerts(await newOperator(registry.app, ['kazan']))).body.alerts).toEqual([]);
    expect((await alerts(prober.key)).body.code).toBe('auth.forbidden');
  });
});
