import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { tightCrop } from '../images.js';
import {
  ADMIN_KEY,
  b64,
  client,
  lastCode,
  livePhoto,
  registerRelyingParty,
  signIn,
  startTestRegistry,
  TestClock,
  testEmailOf,
} from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';
import { headSignatureValid, inclusionValid } from '../transparency/verifier.js';

const dialects = await testDialects();

describe.each(dialects)('citizen control on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  const clock = new TestClock();
  const parties: Record<'city' | 'metro' | 'bank' | 'kazanMetro', { key: string; id: string }> = {} as never;
  let anna: { citizenId: string; cityPseudonym: string };
  let me: ReturnType<ReturnType<typeof client>>;
  const as = (p: keyof typeof parties) => client(registry.app)(parties[p].key);
  const identify = async (p: keyof typeof parties, photo: number, who: 'anna' | 'gleb' = 'anna') =>
    as(p)('POST', '/v1/identifications', { purpose: 'transit_fare', image: await livePhoto(who, photo) });
  const grant = (body: Record<string, unknown>) => me('POST', '/v1/citizen/consents', body);

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine, {}, { clock }));
    const app = registry.app;
    parties.city = await registerRelyingParty(app, { name: 'City app', purposes: ['transit_fare', 'second_factor'] });
    parties.metro = await registerRelyingParty(app, { name: 'Metro', purposes: ['transit_fare'] });
    parties.bank = await registerRelyingParty(app, { name: 'Bank', purposes: ['transit_fare'] });
    parties.kazanMetro = await registerRelyingParty(app, { name: 'Kazan metro', segments: ['kazan'] });
    const enrolled = await as('city')('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'city_app',
      image: await livePhoto('anna', 0),
      consents: ['second_factor'],
    });
    expect(enrolled.status).toBe(201);
    anna = { citizenId: enrolled.body.receipt.citizenId, cityPseudonym: enrolled.body.personId };
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('gives the citizen an enrolment receipt with their own id, which signs them in by a live face only', async () => {
    expect(anna.citizenId).toMatch(/^psn_/);
    expect(anna.citizenId).not.toBe(anna.cityPseudonym);
    const anon = client(registry.app)();
    const wrongFace = await anon('POST', '/v1/citizen/sessions', {
      citizenId: anna.citizenId,
      image: await livePhoto('boris', 1),
    });
    const unknownId = await anon('POST', '/v1/citizen/sessions', {
      citizenId: 'psn_aaaaaaaaaaaaaaaaaaaaaaaaaa',
      image: await livePhoto('anna', 1),
    });
    // A wrong face and an unknown id fail alike.
    expect([wrongFace.status, wrongFace.body.code]).toEqual([401, 'citizen.sign_in_failed']);
    expect([unknownId.status, unknownId.body]).toEqual([401, wrongFace.body]);
    // A capture too tight for the liveness check is refused, never compared.
    const tight = await anon('POST', '/v1/citizen/sessions', {
      citizenId: anna.citizenId,
      image: b64(await tightCrop(await readFace('small', 'amy', 'amy1.png'))),
    });
    expect([tight.status, tight.body.code]).toEqual([422, 'face.spoof_suspected']);

    me = await signIn(registry, anna.citizenId, await livePhoto('anna', 1));
    const record = await me('GET', '/v1/citizen/me');
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({ citizenId: anna.citizenId, segment: 'moscow', status: 'active', minor: false });
    expect(record.body.templates).toHaveLength(1);
    expect(record.body.consents).toMatchObject([{ relyingPartyId: parties.city.id, purpose: 'second_factor' }]);
    // Citizen calls take a session, not an API key, and an API key is no session.
    expect((await client(registry.app)()('GET', '/v1/citizen/me')).body.code).toBe('citizen.session_invalid');
    expect((await as('city')('GET', '/v1/citizen/me')).body.code).toBe('citizen.session_invalid');
    // Sessions are short-lived.
    clock.advance(16);
    expect((await me('GET', '/v1/citizen/me')).status).toBe(401);
    me = await signIn(registry, anna.citizenId, await livePhoto('anna', 1));
  });

  it('consent per party: a grant makes the person visible to that party only, under its own pseudonym', async () => {
    expect((await identify('metro', 2)).body.candidates).toEqual([]);
    const granted = await grant({ relyingPartyId: parties.metro.id, purpose: 'transit_fare' });
    expect(granted.status).toBe(201);
    expect(granted.body.receipt).toMatchObject({ kind: 'consent.granted', leafIndex: expect.any(Number) });
    expect(granted.body.receipt.leafHash).toMatch(/^[0-9a-f]{64}$/);
    const first = await identify('metro', 2);
    const again = await identify('metro', 3);
    expect(first.body.candidates).toHaveLength(1);
    const metroPseudonym = first.body.candidates[0].personId as string;
    expect(again.body.candidates[0].personId).toBe(metroPseudonym);
    // The bank is not granted: it sees no one. Granted, it sees a different id than the metro.
    expect((await identify('bank', 2)).body.candidates).toEqual([]);
    await grant({ relyingPartyId: parties.bank.id, purpose: 'transit_fare' });
    const bankPseudonym = (await identify('bank', 2)).body.candidates[0].personId as string;
    expect(new Set([metroPseudonym, bankPseudonym, anna.cityPseudonym, anna.citizenId]).size).toBe(4);
    // A pseudonym names the person to its own party only.
    const verify = (p: keyof typeof parties, personId: string) =>
      livePhoto('anna', 3).then((image) =>
        as(p)('POST', '/v1/verifications', { personId, purpose: 'transit_fare', image }),
      );
    expect((await verify('metro', metroPseudonym)).body.match).toBe(true);
    expect((await verify('bank', metroPseudonym)).body.code).toBe('person.not_found');
    // An unknown purpose for the party, or an unknown party, cannot be granted.
    expect((await grant({ relyingPartyId: parties.metro.id, purpose: 'parking' })).body.code).toBe(
      'consent.purpose_not_offered',
    );
    expect((await grant({ relyingPartyId: 'rp_aaaaaaaaaaaaaaaaaaaaaaaaaa', purpose: 'transit_fare' })).status).toBe(
      404,
    );
  });

  it('revocation takes effect on the next request, and looks exactly like an unknown person', async () => {
    const consents = (await me('GET', '/v1/citizen/consents')).body.consents as {
      id: string;
      relyingPartyId: string;
    }[];
    const metroGrant = consents.find((c) => c.relyingPartyId === parties.metro.id)!;
    const unknown = await identify('metro', 1, 'gleb');
    const revoked = await me('DELETE', `/v1/citizen/consents/${metroGrant.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.consent).toMatchObject({ active: false, revokedAt: expect.any(String) });
    expect(revoked.body.receipt.kind).toBe('consent.revoked');
    const after = await identify('metro', 2);
    expect(after.status).toBe(unknown.status);
    expect(after.body).toEqual(unknown.body);
    const pseudonym = (await identify('bank', 2)).body.candidates[0].personId as string;
    expect(pseudonym).toBeDefined(); // the bank's own grant is untouched
    expect((await me('DELETE', `/v1/citizen/consents/${metroGrant.id}`)).body.code).toBe('consent.not_found');
  });

  it('an expired grant behaves like a revoked one', async () => {
    const expiresAt = new Date(clock.now().getTime() + 5 * 60_000).toISOString();
    expect((await grant({ relyingPartyId: parties.metro.id, purpose: 'transit_fare', expiresAt })).status).toBe(201);
    const before = await identify('metro', 2);
    expect(before.body.candidates).toHaveLength(1);
    clock.advance(6);
    me = await signIn(registry, anna.citizenId, await livePhoto('anna', 1));
    expect((await identify('metro', 2)).body.candidates).toEqual([]);
    const verify = await as('metro')('POST', '/v1/verifications', {
      personId: before.body.candidates[0].personId,
      purpose: 'transit_fare',
      image: await livePhoto('anna', 3),
    });
    expect([verify.status, verify.body.code]).toEqual([403, 'consent.missing']);
    expect((await grant({ relyingPartyId: parties.metro.id, purpose: 'transit_fare', expiresAt })).body.code).toBe(
      'request.invalid',
    );
  });

  it('a lock refuses every use as if without consent; a temporary unlock lifts it for its minutes only', async () => {
    await grant({ relyingPartyId: parties.metro.id, purpose: 'transit_fare' });
    expect((await identify('metro', 2)).body.candidates).toHaveLength(1);
    const lock = await me('POST', '/v1/citizen/locks', {});
    expect(lock.status).toBe(201);
    expect(lock.body).toMatchObject({ purpose: null, active: true });
    expect((await identify('metro', 2)).body.candidates).toEqual([]);
    expect((await identify('bank', 2)).body.candidates).toEqual([]);

    const unlocked = await me('POST', `/v1/citizen/locks/${lock.body.id}/unlock`, { minutes: 10 });
    expect(unlocked.body).toMatchObject({ active: false, unlockedUntil: expect.any(String) });
    expect((await identify('metro', 2)).body.candidates).toHaveLength(1);
    clock.advance(11);
    me = await signIn(registry, anna.citizenId, await livePhoto('anna', 1));
    expect((await identify('metro', 2)).body.candidates).toEqual([]);

    // Removed for good; then a lock on one purpose leaves the others alone.
    expect((await me('DELETE', `/v1/citizen/locks/${lock.body.id}`)).status).toBe(200);
    expect((await identify('metro', 2)).body.candidates).toHaveLength(1);
    const second = await me('POST', '/v1/citizen/locks', { purpose: 'second_factor' });
    expect((await identify('metro', 2)).body.candidates).toHaveLength(1);
    await me('DELETE', `/v1/citizen/locks/${second.body.id}`);
  });

  it('keeps one live grant per party and purpose, so one revocation always ends access', async () => {
    const again = await grant({ relyingPartyId: parties.metro.id, purpose: 'transit_fare' });
    expect(again.status).toBe(201);
    const consents = (await me('GET', '/v1/citizen/consents')).body.consents as {
      id: string;
      relyingPartyId: string;
      active: boolean;
    }[];
    const live = consents.filter((c) => c.relyingPartyId === parties.metro.id && c.active);
    expect(live.map((c) => c.id)).toEqual([again.body.id]);
    await me('DELETE', `/v1/citizen/consents/${again.body.id}`);
    expect((await identify('metro', 2)).body.candidates).toEqual([]);

    // A replayed request (the app retried) is answered from the record: one grant, the same answer.
    const body = { relyingPartyId: parties.metro.id, purpose: 'transit_fare' };
    const key = { 'idempotency-key': 'grant-metro-1' };
    const first = await me('POST', '/v1/citizen/consents', body, key);
    const replay = await me('POST', '/v1/citizen/consents', body, key);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    const reused = await me('POST', '/v1/citizen/consents', { ...body, scope: 'all' }, key);
    expect([reused.status, reused.body.code]).toEqual([422, 'idempotency.key_reused']);
    const grants = await registry.store.db
      .selectFrom('consent_grants')
      .select('id')
      .where('relying_party_id', '=', parties.metro.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(grants.map((g) => g.id)).toEqual([first.body.id]);
  });

  it('reaches across segments only with a grant scoped to all segments', async () => {
    // Anna lives in the Moscow segment; the Kazan metro works only in Kazan.
    await grant({ relyingPartyId: parties.kazanMetro.id, purpose: 'transit_fare' });
    expect((await identify('kazanMetro', 2)).body.candidates).toEqual([]);
    await grant({ relyingPartyId: parties.kazanMetro.id, purpose: 'transit_fare', scope: 'all' });
    const found = await identify('kazanMetro', 2);
    expect(found.body.candidates).toHaveLength(1);
    const verify = await as('kazanMetro')('POST', '/v1/verifications', {
      personId: found.body.candidates[0].personId,
      purpose: 'transit_fare',
      image: await livePhoto('anna', 3),
    });
    expect(verify.body.match).toBe(true);
    // Asking for a segment the party does not work in is still refused outright.
    const moscow = await as('kazanMetro')('POST', '/v1/identifications', {
      purpose: 'transit_fare',
      segment: 'moscow',
      image: await livePhoto('anna', 2),
    });
    expect([moscow.status, moscow.body.code]).toEqual([403, 'auth.forbidden']);
  });

  it('shows every use with party, purpose, result and score band, each proven in the signed log', async () => {
    const usage = await me('GET', '/v1/citizen/usage?limit=200');
    expect(usage.status).toBe(200);
    const { items, treeHead } = usage.body as { items: UsageItem[]; treeHead: Head };
    const byMetro = items.filter((i) => i.relyingPartyId === parties.metro.id && i.action === 'identification');
    expect(byMetro.length).toBeGreaterThanOrEqual(5);
    expect(byMetro[0]).toMatchObject({ purpose: 'transit_fare', result: 'candidate', segment: null });
    expect(byMetro[0]!.actor.name).toBe('Metro');
    expect(['medium', 'high']).toContain(byMetro[0]!.scoreBand);
    expect(items.map((i) => i.action)).toEqual(
      expect.arrayContaining(['enrolment', 'citizen.sign_in', 'consent.grant', 'consent.revoke', 'lock.add']),
    );
    // Refused attempts against her show too: the metro's verification after expiry.
    expect(items.some((i) => i.action === 'verification' && i.result === 'refused:consent.missing')).toBe(true);

    const keys = (await client(registry.app)()('GET', '/v1/transparency/keys')).body.keys as { publicKey: string }[];
    expect(headSignatureValid(treeHead, keys[0]!.publicKey)).toBe(true);
    for (const item of items) {
      expect(item.leafHash).toMatch(/^[0-9a-f]{64}$/);
      const proof = item.inclusionProof!;
      expect(proof.treeSize).toBe(treeHead.treeSize);
      expect(inclusionValid(item.leafHash, item.leafIndex, proof.treeSize, proof.auditPath, treeHead.rootHash)).toBe(
        true,
      );
    }
    // Filtered and paged.
    const filtered = await me('GET', `/v1/citizen/usage?relyingPartyId=${parties.metro.id}&action=identification`);
    expect(filtered.body.items.length).toBe(byMetro.length);
    const page1 = await me('GET', '/v1/citizen/usage?limit=3');
    const page2 = await me('GET', `/v1/citizen/usage?limit=3&cursor=${page1.body.next}`);
    expect(page1.body.items.map((i: UsageItem) => i.id)).toEqual(items.slice(0, 3).map((i) => i.id));
    expect(page2.body.items.map((i: UsageItem) => i.id)).toEqual(items.slice(3, 6).map((i) => i.id));
  });

  it('exports everything held about the citizen as JSON, with no template vector', async () => {
    const res = await me('GET', '/v1/citizen/export');
    expect(res.status).toBe(200);
    expect(String(res.headers['content-disposition'])).toContain('attachment');
    const data = res.body;
    expect(data.person.citizenId).toBe(anna.citizenId);
    expect(data.person.templates).toHaveLength(1);
    expect(data.person.consents.length).toBeGreaterThanOrEqual(4);
    expect(data.person.locks).toHaveLength(2);
    const full = await me('GET', '/v1/citizen/usage?limit=200');
    // The export is itself a use of her data: it is recorded first, so the file holds it too.
    expect(data.usage.length).toBe(full.body.items.length);
    expect(data.usage[0]).toMatchObject({ action: 'data.export', result: 'exported' });
    const text = JSON.stringify(data);
    expect(text).not.toMatch(/sealed|vector/);
    expect(text).not.toMatch(/(-?\d\.\d+,){100}/);
  });

  it('erases at once: verify and identify fail, no decryptable template remains, and the log shows it', async () => {
    const { db } = registry.store;
    const stolen = await db.selectFrom('templates').selectAll().where('person_id', '=', anna.citizenId).execute();
    expect(stolen).toHaveLength(1);
    const metroPseudonym = (await identify('metro', 2)).body.candidates[0].personId as string;

    const erased = await me('DELETE', '/v1/citizen/biometrics');
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ citizenId: anna.citizenId, templatesErased: 1 });

    expect((await identify('metro', 2)).body.candidates).toEqual([]);
    expect((await identify('bank', 2)).body.candidates).toEqual([]);
    const verify = await as('metro')('POST', '/v1/verifications', {
      personId: metroPseudonym,
      purpose: 'transit_fare',
      image: await livePhoto('anna', 3),
    });
    // Erased answers as revoked: the party learns nothing more than that it may not use the face.
    expect([verify.status, verify.body]).toEqual([403, { code: 'consent.missing', message: expect.any(String) }]);
    expect(await db.selectFrom('templates').select('id').where('person_id', '=', anna.citizenId).execute()).toEqual([]);
    expect(
      await db.selectFrom('person_keys').select('person_id').where('person_id', '=', anna.citizenId).execute(),
    ).toEqual([]);
    // A copy of the sealed row (a backup, a replica) opens no more: its key is gone.
    expect(await registry.services.vault.open(stolen[0]!)).toBeUndefined();
    expect(registry.matcher.templateIds().size).toBe(0);

    // The account stays, with its history, which records the erasure.
    const usage = await me('GET', '/v1/citizen/usage?action=biometrics.erase');
    expect(usage.body.items).toHaveLength(1);
    expect(usage.body.items[0]).toMatchObject({ result: 'erased', leafIndex: expect.any(Number) });
    expect((await me('GET', '/v1/citizen/me')).body).toMatchObject({ status: 'deleted', templates: [] });
    // Face sign-in is over; an operator's one-time code still opens the account, once.
    const anon = client(registry.app)();
    const byFace = await anon('POST', '/v1/citizen/sessions', {
      citizenId: anna.citizenId,
      image: await livePhoto('anna', 1),
    });
    expect(byFace.status).toBe(401);
    const sent = await client(registry.app)(ADMIN_KEY)('POST', `/v1/persons/${anna.citizenId}/sign-in-codes`);
    expect(sent.status).toBe(201);
    const code = lastCode(registry, 'email', testEmailOf(anna.citizenId));
    const byCode = await anon('POST', '/v1/citizen/sessions', { citizenId: anna.citizenId, code });
    expect([byCode.status, byCode.body.method, byCode.body.stepUpRequired]).toEqual([201, 'code', true]);
    expect((await anon('POST', '/v1/citizen/sessions', { citizenId: anna.citizenId, code })).status).toBe(401);
  });
});

interface Head {
  treeSize: number;
  rootHash: string;
  timestamp: number;
  signature: string;
  keyId: string;
}
interface UsageItem {
  id: string;
  action: string;
  result: string;
  relyingPartyId: string | null;
  purpose: string | null;
  segment: string | null;
  scoreBand: string;
  actor: { name: string | null };
  leafIndex: number;
  leafHash: string;
  inclusionProof: { treeSize: number; auditPath: string[] } | null;
}
