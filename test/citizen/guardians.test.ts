import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import { client, livePhoto, newOperator, registerRelyingParty, signIn, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

describe.each(dialects)('minors and guardians on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let school: { key: string; id: string };
  const ids: Record<'kid' | 'parent' | 'stranger', string> = { kid: '', parent: '', stranger: '' };
  let operator: ReturnType<ReturnType<typeof client>>;

  const enrol = async (who: 'kid' | 'boris' | 'vera', extra: Record<string, unknown> = {}) =>
    client(registry.app)(school.key)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'school',
      image: await livePhoto(who, 0),
      consents: [],
      ...extra,
    });
  const schoolIdentifies = async () =>
    client(registry.app)(school.key)('POST', '/v1/identifications', {
      purpose: 'school_meals',
      image: await livePhoto('kid', 1),
    });

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine));
    school = await registerRelyingParty(registry.app, { name: 'School 57', purposes: ['school_meals', 'parking'] });
    operator = client(registry.app)(await newOperator(registry.app, ['moscow']));
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('enrols a minor without consent from the enrolling party, and records a guardian from checked documents', async () => {
    const refused = await enrol('kid', { birthDate: '2015-03-01', consents: ['school_meals'] });
    expect([refused.status, refused.body.code]).toEqual([403, 'consent.guardian_required']);
    const kid = await enrol('kid', { birthDate: '2015-03-01' });
    expect(kid.status).toBe(201);
    ids.kid = kid.body.receipt.citizenId;
    ids.parent = (await enrol('boris')).body.receipt.citizenId;
    ids.stranger = (await enrol('vera')).body.receipt.citizenId;

    const kazanOperator = client(registry.app)(await newOperator(registry.app, ['kazan']));
    // Outside its segments, the minor is an unknown id to the operator.
    expect((await kazanOperator('POST', `/v1/persons/${ids.kid}/guardians`, { guardianId: ids.parent })).status).toBe(
      404,
    );
    expect((await operator('POST', `/v1/persons/${ids.kid}/guardians`, { guardianId: ids.parent })).status).toBe(201);
    expect((await operator('POST', `/v1/persons/${ids.kid}/guardians`, { guardianId: ids.parent })).body.code).toBe(
      'guardian.exists',
    );
    const record = await operator('GET', `/v1/persons/${ids.kid}`);
    expect(record.body).toMatchObject({
      personId: ids.kid,
      citizenId: ids.kid,
      birthDate: '2015-03-01',
      minor: true,
      guardians: [ids.parent],
      consents: [],
    });
    expect(record.body.templates).toHaveLength(1);
    const kidSession = await signIn(registry, ids.kid, await livePhoto('kid', 1));
    expect((await kidSession('GET', '/v1/citizen/me')).body).toMatchObject({ minor: true, guardians: [ids.parent] });
  });

  it('lets a guardian grant school meals for the minor, and no one else', async () => {
    expect((await schoolIdentifies()).body.candidates).toEqual([]);
    const parent = await signIn(registry, ids.parent, await livePhoto('boris', 1));
    const stranger = await signIn(registry, ids.stranger, await livePhoto('vera', 1));
    const kid = await signIn(registry, ids.kid, await livePhoto('kid', 1));
    const meals = { relyingPartyId: school.id, purpose: 'school_meals', personId: ids.kid };

    const byStranger = await stranger('POST', '/v1/citizen/consents', meals);
    expect([byStranger.status, byStranger.body.code]).toEqual([403, 'citizen.not_allowed']);
    expect((await stranger('GET', `/v1/citizen/usage?personId=${ids.kid}`)).status).toBe(403);
    const byKid = await kid('POST', '/v1/citizen/consents', { relyingPartyId: school.id, purpose: 'school_meals' });
    expect([byKid.status, byKid.body.code]).toEqual([403, 'consent.guardian_required']);
    expect((await schoolIdentifies()).body.candidates).toEqual([]);

    const byParent = await parent('POST', '/v1/citizen/consents', meals);
    expect(byParent.status).toBe(201);
    expect(byParent.body.consent).toMatchObject({ source: 'guardian', grantedBy: ids.parent, purpose: 'school_meals' });
    expect((await schoolIdentifies()).body.candidates).toHaveLength(1);

    // The guardian sees the minor's usage: the school's identification is there.
    const usage = await parent('GET', `/v1/citizen/usage?personId=${ids.kid}&action=identification`);
    expect(usage.status).toBe(200);
    expect(usage.body.items[0]).toMatchObject({ relyingPartyId: school.id, purpose: 'school_meals' });
  });

  it('refuses a purpose the segment forbids for minors, to the minor and to the guardian alike', async () => {
    const parent = await signIn(registry, ids.parent, await livePhoto('boris', 1));
    const kid = await signIn(registry, ids.kid, await livePhoto('kid', 1));
    const parking = { relyingPartyId: school.id, purpose: 'parking' };
    const byParent = await parent('POST', '/v1/citizen/consents', { ...parking, personId: ids.kid });
    const byKid = await kid('POST', '/v1/citizen/consents', parking);
    expect([byParent.status, byParent.body.code]).toEqual([403, 'consent.purpose_forbidden_for_minor']);
    expect([byKid.status, byKid.body.code]).toEqual([403, 'consent.purpose_forbidden_for_minor']);
  });

  it('hands consent over at the age the segment sets, and the guardian loses it', async () => {
    const rules = await operator('PUT', '/v1/segments/moscow/age-rules', {
      ageOfConsent: 10,
      minorPurposes: ['school_meals'],
    });
    expect(rules.body).toEqual({ segment: 'moscow', ageOfConsent: 10, minorPurposes: ['school_meals'] });
    const parent = await signIn(registry, ids.parent, await livePhoto('boris', 1));
    const kid = await signIn(registry, ids.kid, await livePhoto('kid', 1));
    expect((await parent('GET', `/v1/citizen/me?personId=${ids.kid}`)).status).toBe(403);
    const own = await kid('POST', '/v1/citizen/consents', { relyingPartyId: school.id, purpose: 'parking' });
    expect(own.status).toBe(201);
    expect((await kid('GET', '/v1/citizen/me')).body.minor).toBe(false);
  });
});
