import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { DevelopmentPayments } from '../../src/services/payments/development-payments.js';
import { readFace, readScreenReplay } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { groupPhoto } from '../images.js';
import { ADMIN_KEY, b64, client, livePhoto, registerRelyingParty, signIn, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';
import { enrolRider, morningClock } from './face-pay.js';

const dialects = await testDialects();

/**
 * Transit by face end to end (issue 11), on real faces: the tariff (fare, transfer, daily cap), riders linked
 * to payment tokens, gate passes idempotent per eventId across a restart, the margin over the runner-up,
 * declines that block until settled, a port that times out (retried from the outbox, charged once), the
 * engine's refusals as reasons, consent revocation, a lock and erasure, and the citizen's own trips.
 */
describe.each(dialects)('transit on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let restart: (env?: Record<string, string>) => Promise<Registry>;
  const clock = morningClock();
  const payments = new DevelopmentPayments();
  let metro: { key: string; id: string };
  const riders: Record<'anna' | 'boris' | 'kid' | 'gleb', { personId: string; citizenId: string }> = {} as never;
  const api = () => client(registry.app)(metro.key);
  const pass = async (eventId: string, image: string, gateId = 'g-1') =>
    api()('POST', '/v1/transit/passes', { gateId, eventId, image });
  const chargesCount = async () =>
    Number(
      (
        await registry.store.db
          .selectFrom('payment_charges')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const env = { OBLIK_PAYMENT_TIMEOUT_MS: '300', OBLIK_PAYMENT_RETRY_SECONDS: '3600' };

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store, restart } = await startTestRegistry(dialect, engine, env, { clock, payments }));
    metro = await registerRelyingParty(registry.app, { name: 'Metro', purposes: ['transit_fare'] });
    for (const who of ['anna', 'boris', 'kid', 'gleb'] as const) {
      riders[who] = await enrolRider(registry.app, metro.key, who, ['transit_fare']);
    }
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('sets the tariff and a gate; refuses passes before, and from a gate it does not know', async () => {
    expect((await pass('early-1', await livePhoto('anna', 1))).body.code).toBe('transit.gate_not_found');
    expect((await api()('PUT', '/v1/transit/gates/g-1', { name: 'Okhotny Ryad 1' })).status).toBe(200);
    expect((await pass('early-2', await livePhoto('anna', 1))).body.code).toBe('transit.tariff_not_set');
    const tariff = { currency: 'RUB', baseFare: 6000, transferMinutes: 60, dailyCap: 15000 };
    expect((await api()('PUT', '/v1/transit/tariff', tariff)).body).toEqual(tariff);
    expect((await pass('e-unknown-gate', await livePhoto('anna', 1), 'g-404')).body.code).toBe(
      'transit.gate_not_found',
    );
    expect(await chargesCount()).toBe(0);
  });

  it('links riders to payment tokens by the operator’s pseudonym only', async () => {
    const link = (personId: string, token: string) =>
      api()('POST', '/v1/transit/riders', { personId, paymentMethod: { token } });
    expect((await link(riders.anna.personId, 'tok_anna')).body).toEqual({
      personId: riders.anna.personId,
      blocked: false,
      debt: 0,
    });
    expect((await link(riders.kid.personId, 'tok_decline_kid')).status).toBe(201);
    expect((await link(riders.gleb.personId, 'tok_timeout_gleb')).status).toBe(201);
    // The citizen id is not the operator's name for her; a made-up pseudonym is nobody.
    expect((await link(riders.anna.citizenId, 'tok_x')).body.code).toBe('person.not_found');
    expect((await link('psn_nobody', 'tok_x')).body.code).toBe('person.not_found');
    expect((await link(riders.anna.personId, 'card-4242')).body.code).toBe('request.invalid');
  });

  it('charges the fare, a transfer, and caps the day; the same eventId answers the same and charges once', async () => {
    const face = await livePhoto('anna', 1);
    const first = await pass('e-anna-1', face);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      eventId: 'e-anna-1',
      decision: 'open',
      riderId: riders.anna.personId,
      charge: { amount: 6000, currency: 'RUB', rule: 'fare' },
    });
    expect(await pass('e-anna-1', face)).toMatchObject({ status: 200, body: first.body });
    // The same eventId with another face is another request: refused, never decided again.
    expect((await pass('e-anna-1', await livePhoto('anna', 2))).body.code).toBe('idempotency.key_reused');
    clock.advance(10);
    expect((await pass('e-anna-2', await livePhoto('anna', 2))).body.charge).toMatchObject({
      amount: 0,
      rule: 'transfer',
    });
    clock.advance(120);
    expect((await pass('e-anna-3', face)).body.charge).toMatchObject({ amount: 6000, rule: 'fare' });
    clock.advance(120);
    expect((await pass('e-anna-4', face)).body.charge).toMatchObject({ amount: 3000, rule: 'daily_cap' });
    clock.advance(120);
    expect((await pass('e-anna-5', face)).body.charge).toMatchObject({ amount: 0, rule: 'daily_cap' });
    const paid = payments.entries().filter((e) => e.token === 'tok_anna');
    expect(paid.map((e) => e.amount)).toEqual([6000, 6000, 3000]); // nothing sent for 0, nothing twice
    expect(paid.every((e) => e.outcome === 'captured')).toBe(true);
    clock.advance(24 * 60); // a new day for the tests below
  });

  it('refuses a person who is not a rider, a face nobody enrolled, and a close second as ambiguous', async () => {
    const boris = await pass('e-boris-1', await livePhoto('boris', 1));
    expect(boris.body).toEqual({
      eventId: 'e-boris-1',
      decision: 'refuse',
      reason: 'not_a_rider',
      riderId: riders.boris.personId,
    });
    const stranger = await pass('e-vera-1', await livePhoto('vera', 1));
    expect(stranger.body).toEqual({ eventId: 'e-vera-1', decision: 'refuse', reason: 'no_match' });

    // With a margin no face can clear, the best candidate (Anna) is not enough: someone else is in the gallery.
    await registry.close();
    registry = await restart({ ...env, OBLIK_GATE_MARGIN: '0.99' });
    const ambiguous = await pass('e-anna-ambiguous', await livePhoto('anna', 3));
    expect(ambiguous.body).toEqual({ eventId: 'e-anna-ambiguous', decision: 'refuse', reason: 'ambiguous' });
    await registry.close();
    registry = await restart(env);
  });

  it('answers an eventId the same after a restart, with no second charge', async () => {
    const before = await chargesCount();
    const again = await pass('e-anna-1', await livePhoto('anna', 1));
    expect(again.body).toMatchObject({ decision: 'open', charge: { amount: 6000, rule: 'fare' } });
    expect(await chargesCount()).toBe(before);
    expect(payments.entries().filter((e) => e.token === 'tok_anna')).toHaveLength(3);
  });

  it('a declined charge keeps the gate shut and blocks the rider until the debt is settled through the port', async () => {
    const face = await livePhoto('kid', 1);
    expect((await pass('e-kid-1', face)).body).toMatchObject({ decision: 'refuse', reason: 'payment_declined' });
    expect((await pass('e-kid-1', face)).body).toMatchObject({ decision: 'refuse', reason: 'payment_declined' });
    expect((await pass('e-kid-2', face)).body).toMatchObject({ decision: 'refuse', reason: 'rider_blocked' });
    const settle = (body: object) => api()('POST', `/v1/transit/riders/${riders.kid.personId}/settlement`, body);
    expect(await settle({})).toMatchObject({ status: 402, body: { code: 'transit.settlement_declined' } });
    expect((await settle({ paymentMethod: { token: 'tok_kid_new' } })).body).toEqual({
      personId: riders.kid.personId,
      blocked: false,
      debt: 0,
    });
    expect((await pass('e-kid-3', face)).body).toMatchObject({ decision: 'open', charge: { rule: 'fare' } });
    const charges = await registry.store.db
      .selectFrom('payment_charges')
      .select(['status', 'rule'])
      .where('payer_ref', '=', riders.kid.personId)
      .execute();
    // The refused pass owes nothing; the settlement that failed stays on record.
    expect(charges.map((c) => `${c.rule}:${c.status}`).sort()).toEqual([
      'fare:captured',
      'fare:void',
      'settlement:captured',
      'settlement:declined',
    ]);
  });

  it('a port that times out: the gate opens, the outbox retries the charge by its key, charged once', async () => {
    const answer = await pass('e-gleb-1', await livePhoto('gleb', 1));
    expect(answer.body).toMatchObject({ decision: 'open', charge: { amount: 6000, rule: 'fare' } });
    const chargeId = answer.body.charge.id as string;
    const status = async () =>
      await registry.store.db
        .selectFrom('payment_charges')
        .select(['status', 'attempts'])
        .where('id', '=', chargeId)
        .executeTakeFirstOrThrow();
    expect(await status()).toEqual({ status: 'pending', attempts: 1 });
    expect(await registry.services.charges.runDue(0)).toBe(1);
    expect(await status()).toEqual({ status: 'captured', attempts: 2 });
    expect(payments.entries().filter((e) => e.key === chargeId)).toHaveLength(1);
    expect((await pass('e-gleb-1', await livePhoto('gleb', 1))).body).toEqual(answer.body);
  });

  it('bad input: a malformed eventId, a missing image, a photo of a photo, two faces; nothing charged', async () => {
    const before = await chargesCount();
    const face = await livePhoto('anna', 1);
    const malformed = await api()('POST', '/v1/transit/passes', { gateId: 'g-1', eventId: 'no spaces!', image: face });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'request.invalid']);
    const missing = await api()('POST', '/v1/transit/passes', { gateId: 'g-1', eventId: 'e-missing' });
    expect([missing.status, missing.body.code]).toEqual([400, 'request.invalid']);
    const garbage = await api()('POST', '/v1/transit/passes', {
      gateId: 'g-1',
      eventId: 'e-bad',
      image: 'not base64!',
    });
    expect([garbage.status, garbage.body.code]).toEqual([400, 'image.unreadable']);
    const spoof = await pass('e-screen', b64(await readScreenReplay()));
    expect(spoof.body).toEqual({ eventId: 'e-screen', decision: 'refuse', reason: 'face.spoof_suspected' });
    const two = b64(
      await groupPhoto(await readFace('small', 'amy', 'amy2.png'), await readFace('small', 'penny', 'penny1.png')),
    );
    expect((await pass('e-two', two)).body).toEqual({ eventId: 'e-two', decision: 'refuse', reason: 'face.multiple' });
    expect((await pass('e-two', two)).body.reason).toBe('face.multiple');
    expect(await chargesCount()).toBe(before);
  });

  it('shows the operator a rider’s trips, and the citizen their own, each pass in their usage history with its proof', async () => {
    const trips = await api()('GET', `/v1/transit/riders/${riders.anna.personId}/trips`);
    expect(trips.status).toBe(200);
    const opened = (trips.body.trips as { decision: string; charge: { rule: string } | null }[]).filter(
      (t) => t.decision === 'open',
    );
    expect(opened.map((t) => t.charge!.rule).reverse()).toEqual(['fare', 'transfer', 'fare', 'daily_cap', 'daily_cap']);
    const anna = await signIn(registry, riders.anna.citizenId, await livePhoto('anna', 3));
    const mine = await anna('GET', '/v1/citizen/transit/trips');
    expect(mine.status).toBe(200);
    expect(
      mine.body.trips.filter((t: { operatorId: string }) => t.operatorId === metro.id).length,
    ).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(mine.body)).not.toContain(riders.anna.personId); // the operator's pseudonym is its own
    const usage = await anna('GET', `/v1/citizen/usage?relyingPartyId=${metro.id}&action=identification&limit=200`);
    const passes = (usage.body.items as { purpose: string; result: string; inclusionProof?: unknown }[]).filter(
      (i) => i.purpose === 'transit_fare' && i.result === 'candidate',
    );
    expect(passes.length).toBeGreaterThanOrEqual(5);
    expect(passes.every((p) => p.inclusionProof !== undefined)).toBe(true);
  });

  it('revoked consent, a lock and an erasure each turn the next pass into no_match', async () => {
    const face = await livePhoto('anna', 2);
    const anna = await signIn(registry, riders.anna.citizenId, await livePhoto('anna', 3));
    const lock = await anna('POST', '/v1/citizen/locks', { purpose: 'transit_fare' });
    expect(lock.status).toBe(201);
    expect((await pass('e-anna-locked', face)).body.reason).toBe('no_match');
    expect((await anna('DELETE', `/v1/citizen/locks/${lock.body.id}`)).status).toBeLessThan(300);
    expect((await pass('e-anna-unlocked', face)).body.decision).toBe('open');

    const consents = (await anna('GET', '/v1/citizen/consents')).body.consents as {
      id: string;
      relyingPartyId: string;
    }[];
    const grant = consents.find((c) => c.relyingPartyId === metro.id)!;
    expect((await anna('DELETE', `/v1/citizen/consents/${grant.id}`)).status).toBeLessThan(300);
    expect((await pass('e-anna-revoked', face)).body.reason).toBe('no_match');

    const gleb = await pass('e-gleb-before-erasure', await livePhoto('gleb', 1));
    expect(gleb.body.decision).toBe('open');
    expect((await client(registry.app)(ADMIN_KEY)('DELETE', `/v1/persons/${riders.gleb.citizenId}`)).status).toBe(200);
    expect((await pass('e-gleb-erased', await livePhoto('gleb', 1))).body.reason).toBe('no_match');
  });
});
