import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { readScreenReplay } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { b64, client, livePhoto, registerRelyingParty, signIn, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';
import { enrolRider, morningClock } from './face-pay.js';

const dialects = await testDialects();

/**
 * Parking by face end to end (issue 11), on real faces: a facility with its duration tariff, entry and exit
 * events (session_open, no_session), the charge by duration, idempotency per eventId across a restart, bad
 * input, and the sessions as the operator and the citizen see them.
 */
describe.each(dialects)('parking on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let restart: (env?: Record<string, string>) => Promise<Registry>;
  const clock = morningClock();
  let park: { key: string; id: string };
  let vera: { personId: string; citizenId: string };
  let facilityId: string;
  const api = () => client(registry.app)(park.key);
  const event = async (eventId: string, direction: 'entry' | 'exit', image: string, plate?: string) =>
    api()('POST', '/v1/parking/events', { facilityId, eventId, direction, image, ...(plate ? { plate } : {}) });

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store, restart } = await startTestRegistry(dialect, engine, {}, { clock }));
    park = await registerRelyingParty(registry.app, { name: 'CityPark', purposes: ['parking'] });
    vera = await enrolRider(registry.app, park.key, 'vera', ['parking']);
    await enrolRider(registry.app, park.key, 'boris', ['parking']);
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('opens a facility in one of the operator’s segments only', async () => {
    const tariff = { currency: 'RUB', freeMinutes: 15, perHour: 200, dailyMax: 1500 };
    const res = await api()('POST', '/v1/parking/facilities', { name: 'Tverskaya', segment: 'moscow', tariff });
    expect(res.status).toBe(201);
    facilityId = res.body.id as string;
    const elsewhere = await api()('POST', '/v1/parking/facilities', { name: 'K', segment: 'kazan', tariff });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([403, 'parking.segment_not_allowed']);
    const metro = await registerRelyingParty(registry.app, { name: 'Metro', purposes: ['transit_fare'] });
    const notParking = await client(registry.app)(metro.key)('POST', '/v1/parking/facilities', {
      name: 'X',
      segment: 'moscow',
      tariff,
    });
    expect([notParking.status, notParking.body.code]).toEqual([403, 'auth.forbidden']);
  });

  it('entry opens a session, a second entry is session_open, exit charges by duration, a second exit is no_session', async () => {
    const entry = await event('p-1', 'entry', await livePhoto('vera', 0), 'A123BC77');
    expect(entry.body).toMatchObject({ eventId: 'p-1', decision: 'open' });
    const sessionId = entry.body.sessionId as string;
    expect(sessionId).toMatch(/^pks_/);
    expect((await event('p-2', 'entry', await livePhoto('vera', 1))).body).toEqual({
      eventId: 'p-2',
      decision: 'refuse',
      reason: 'session_open',
      sessionId,
    });
    clock.advance(150);
    const exit = await event('p-3', 'exit', await livePhoto('vera', 1));
    expect(exit.body).toMatchObject({
      decision: 'open',
      sessionId,
      charge: { amount: 600, currency: 'RUB', rule: 'duration' },
    });
    expect((await event('p-4', 'exit', await livePhoto('vera', 1))).body).toEqual({
      eventId: 'p-4',
      decision: 'refuse',
      reason: 'no_session',
    });
    // Idempotent per eventId, across a restart too.
    expect((await event('p-3', 'exit', await livePhoto('vera', 1))).body).toEqual(exit.body);
    await registry.close();
    registry = await restart();
    expect((await event('p-3', 'exit', await livePhoto('vera', 1))).body).toEqual(exit.body);
    const sessions = await registry.store.db.selectFrom('parking_sessions').selectAll().execute();
    expect(sessions).toHaveLength(1);
  });

  it('a short stay is free; a face nobody enrolled is no_match', async () => {
    await event('p-5', 'entry', await livePhoto('boris', 1));
    clock.advance(10);
    expect((await event('p-6', 'exit', await livePhoto('boris', 2))).body.charge).toMatchObject({
      amount: 0,
      rule: 'free',
    });
    expect((await event('p-7', 'entry', await livePhoto('gleb', 0))).body).toEqual({
      eventId: 'p-7',
      decision: 'refuse',
      reason: 'no_match',
    });
  });

  it('bad input: an unknown facility, a malformed eventId, no image, a photo of a photo; nothing half-written', async () => {
    const face = await livePhoto('vera', 1);
    const unknown = await api()('POST', '/v1/parking/events', {
      facilityId: 'fac_nothere',
      eventId: 'p-x',
      direction: 'entry',
      image: face,
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'parking.facility_not_found']);
    const malformed = await event('bad id', 'entry', face);
    expect([malformed.status, malformed.body.code]).toEqual([400, 'request.invalid']);
    const noImage = await api()('POST', '/v1/parking/events', { facilityId, eventId: 'p-y', direction: 'entry' });
    expect([noImage.status, noImage.body.code]).toEqual([400, 'request.invalid']);
    const spoof = await event('p-screen', 'entry', b64(await readScreenReplay()));
    expect(spoof.body).toEqual({ eventId: 'p-screen', decision: 'refuse', reason: 'face.spoof_suspected' });
    const open = await registry.store.db
      .selectFrom('parking_sessions')
      .selectAll()
      .where('status', '=', 'open')
      .execute();
    expect(open).toHaveLength(0);
  });

  it('shows sessions and charges to the operator and to the citizen', async () => {
    const seen = await api()('GET', `/v1/parking/facilities/${facilityId}/sessions`);
    expect(seen.status).toBe(200);
    expect(seen.body.sessions).toHaveLength(2);
    const mine = await signIn(registry, vera.citizenId, await livePhoto('vera', 1));
    const own = await mine('GET', '/v1/citizen/parking/sessions');
    expect(own.status).toBe(200);
    expect(own.body.sessions).toEqual([
      expect.objectContaining({
        facilityName: 'Tverskaya',
        operatorId: park.id,
        status: 'closed',
        plate: 'A123BC77',
        charge: expect.objectContaining({ amount: 600, rule: 'duration' }),
      }),
    ]);
  });
});
