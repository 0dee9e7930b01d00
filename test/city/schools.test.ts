import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import {
  client,
  livePhoto,
  newOperator,
  registerRelyingParty,
  signIn,
  startTestRegistry,
  TestClock,
} from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

/**
 * School meals end to end (issue 12), on real faces: a pupil only with the guardian's grant, the canteen
 * searching that school's pupils only, the day's allowance, idempotent till events, the school's summary
 * (counts, never faces) and the guardian's view of each meal.
 */
describe.each(dialects)('school meals on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  const clock = new TestClock();
  let school: { key: string; id: string };
  let otherParty: { key: string; id: string };
  const kid = { pseudonym: '', citizenId: '' };
  const parent = { pseudonym: '', citizenId: '' };
  const stranger = { citizenId: '' };
  const schools = { a: '', b: '' };
  const as = (key: string) => client(registry.app)(key);
  const meal = async (who: 'kid' | 'boris', eventId: string, amount: number, at = schools.a, key = school.key) =>
    as(key)('POST', `/v1/schools/${at}/meals`, { eventId, image: await livePhoto(who, 1), amount });
  const mealRows = async () => (await registry.store.db.selectFrom('school_meals').selectAll().execute()).length;
  const enrol = async (who: 'kid' | 'boris' | 'vera', extra: Record<string, unknown> = {}) => {
    const res = await as(school.key)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'school',
      image: await livePhoto(who, 0),
      consents: [],
      ...extra,
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return { pseudonym: res.body.personId as string, citizenId: res.body.receipt.citizenId as string };
  };

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine, {}, { clock }));
    school = await registerRelyingParty(registry.app, { name: 'School 57', purposes: ['school_meals'] });
    otherParty = await registerRelyingParty(registry.app, { name: 'Lyceum 2', purposes: ['school_meals'] });
    Object.assign(kid, await enrol('kid', { birthDate: '2015-03-01' }));
    Object.assign(parent, await enrol('boris'));
    stranger.citizenId = (await enrol('vera')).citizenId;
    const operator = as(await newOperator(registry.app, ['moscow']));
    const guardian = await operator('POST', `/v1/persons/${kid.citizenId}/guardians`, { guardianId: parent.citizenId });
    if (guardian.status !== 201) throw new Error(JSON.stringify(guardian.body));
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('adds a pupil only once their guardian has granted the school school_meals', async () => {
    schools.a = (await as(school.key)('POST', '/v1/schools', { name: 'School 57', segment: 'moscow' })).body.id;
    schools.b = (await as(school.key)('POST', '/v1/schools', { name: 'School 57, annex', segment: 'moscow' })).body.id;
    expect(schools.a).toMatch(/^sch_/);
    const pupil = { personId: kid.pseudonym, dailyAllowance: 500 };
    const refused = await as(school.key)('POST', `/v1/schools/${schools.a}/pupils`, pupil);
    expect([refused.status, refused.body.code]).toEqual([403, 'consent.missing']);

    const guardian = await signIn(registry, parent.citizenId, await livePhoto('boris', 1));
    const grant = await guardian('POST', '/v1/citizen/consents', {
      relyingPartyId: school.id,
      purpose: 'school_meals',
      personId: kid.citizenId,
    });
    expect(grant.status).toBe(201);
    const added = await as(school.key)('POST', `/v1/schools/${schools.a}/pupils`, pupil);
    expect(added.status).toBe(201);
    expect(added.body.id).toMatch(/^pup_/);
    const twice = await as(school.key)('POST', `/v1/schools/${schools.a}/pupils`, pupil);
    expect([twice.status, twice.body.code]).toEqual([409, 'school.pupil_exists']);
    const foreign = await as(otherParty.key)('POST', `/v1/schools/${schools.a}/pupils`, pupil);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'school.not_found']);
    expect(await registry.store.db.selectFrom('school_pupils').selectAll().execute()).toHaveLength(1);
  });

  it('serves a pupil within the day’s allowance and refuses the meal that would pass it', async () => {
    const first = await meal('kid', 'm-1', 300);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ eventId: 'm-1', decision: 'serve', remainingAllowance: 200 });
    expect(first.body.pupilId).toMatch(/^pup_/);
    expect((await meal('kid', 'm-2', 300)).body).toMatchObject({
      decision: 'refuse',
      reason: 'allowance_exhausted',
      remainingAllowance: 200,
    });
    expect((await meal('kid', 'm-3', 200)).body).toMatchObject({ decision: 'serve', remainingAllowance: 0 });
  });

  it('identifies among that school’s pupils only', async () => {
    // The parent is enrolled in the segment but is no pupil; the kid is no pupil of the annex.
    expect((await meal('boris', 'm-4', 100)).body).toEqual({
      eventId: 'm-4',
      decision: 'refuse',
      reason: 'not_recognised',
    });
    expect((await meal('kid', 'b-1', 100, schools.b)).body).toMatchObject({
      decision: 'refuse',
      reason: 'not_recognised',
    });
  });

  it('answers a retried till event the same, and refuses bad input with nothing written', async () => {
    const before = await mealRows();
    expect((await meal('kid', 'm-1', 300)).body).toMatchObject({ decision: 'serve', remainingAllowance: 200 });
    expect((await meal('kid', 'm-1', 250)).body.code).toBe('idempotency.key_reused');
    const negative = await meal('kid', 'm-9', -5);
    expect([negative.status, negative.body.code]).toEqual([400, 'request.invalid']);
    const unknown = await meal('kid', 'm-10', 100, 'sch_aaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'school.not_found']);
    expect((await meal('kid', 'm-11', 100, schools.a, otherParty.key)).body.code).toBe('school.not_found');
    expect(await mealRows()).toBe(before);
  });

  it('gives the school daily counts and totals, and a new day a new allowance', async () => {
    const today = clock.now().toISOString().slice(0, 10);
    const summary = await as(school.key)('GET', `/v1/schools/${schools.a}/meals/summary?date=${today}`);
    expect(summary.body).toEqual({ date: today, served: 2, refused: 2, pupilsServed: 1, totalAmount: 500 });
    expect(JSON.stringify(summary.body)).not.toContain(kid.pseudonym);
    clock.advance(24 * 60);
    expect((await meal('kid', 'd2-1', 400)).body).toMatchObject({ decision: 'serve', remainingAllowance: 100 });
    const next = await as(school.key)('GET', `/v1/schools/${schools.a}/meals/summary`);
    expect(next.body).toMatchObject({ served: 1, totalAmount: 400 });
    expect((await as(school.key)('GET', `/v1/schools/${schools.a}/meals/summary?date=yesterday`)).status).toBe(400);
  });

  it('shows the guardian and the pupil each meal, and no one else', async () => {
    const guardian = await signIn(registry, parent.citizenId, await livePhoto('boris', 1));
    const seen = await guardian('GET', `/v1/citizen/meals?personId=${kid.citizenId}`);
    expect(seen.status).toBe(200);
    expect(seen.body.items.map((m: { eventId: string }) => m.eventId)).toEqual(['d2-1', 'm-3', 'm-1']);
    expect(seen.body.items[0]).toMatchObject({ schoolId: schools.a, schoolName: 'School 57', amount: 400 });
    const pupil = await signIn(registry, kid.citizenId, await livePhoto('kid', 1));
    expect((await pupil('GET', '/v1/citizen/meals')).body.items).toHaveLength(3);
    expect((await guardian('GET', '/v1/citizen/meals')).body.items).toEqual([]);
    const other = await signIn(registry, stranger.citizenId, await livePhoto('vera', 1));
    const refused = await other('GET', `/v1/citizen/meals?personId=${kid.citizenId}`);
    expect([refused.status, refused.body.code]).toEqual([403, 'citizen.not_allowed']);
    // Each meal's identification is in the pupil's usage history, which the guardian sees.
    const usage = await guardian('GET', `/v1/citizen/usage?personId=${kid.citizenId}&action=identification`);
    expect(usage.body.items.filter((i: { purpose: string }) => i.purpose === 'school_meals').length).toBeGreaterThan(3);
  });
});
