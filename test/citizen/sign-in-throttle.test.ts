import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import { client, ensureContact, lastCode, livePhoto, registerRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

/**
 * Issue 9, point 7 (throttle): attempts are counted atomically before they are evaluated, per source for faces and
 * code guesses, per person only for second factors; known and unknown ids behave alike; nobody can lock a
 * citizen out from elsewhere.
 */
describe.each(dialects)('sign-in throttle on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let citizenId: string;

  const post = async (url: string, payload: object, remoteAddress: string) => {
    const res = await registry.app.inject({ method: 'POST', url, payload, remoteAddress });
    return { status: res.statusCode, body: res.json<Record<string, any>>() };
  };
  const faceFrom = (source: string, id: string, image: string) =>
    post('/v1/citizen/sessions', { citizenId: id, image }, source);
  const evaluated = async (result: string) =>
    Number(
      (
        await registry.store.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('person_id', '=', citizenId)
          .where('action', '=', 'citizen.sign_in')
          .where('result', '=', result)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine, {
      OBLIK_SIGN_IN_SOURCE_MAX: '5',
      OBLIK_SIGN_IN_MAX_FAILURES: '5',
    }));
    const city = await registerRelyingParty(registry.app, { name: 'City app' });
    const enrolled = await client(registry.app)(city.key)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'city_app',
      image: await livePhoto('anna', 0),
      consents: [],
    });
    citizenId = enrolled.body.receipt.citizenId;
    await ensureContact(registry, citizenId);
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('12 parallel wrong faces against a limit of 5: at most 5 are evaluated, the rest are 429', async () => {
    const wrong = await livePhoto('boris', 1);
    const answers = await Promise.all(Array.from({ length: 12 }, () => faceFrom('203.0.113.7', citizenId, wrong)));
    const refused = answers.filter((a) => a.status === 401);
    const throttled = answers.filter((a) => a.status === 429);
    // Old main: all 12 answered 401, each one compared.
    expect(refused.length + throttled.length).toBe(12);
    expect(refused.length).toBeLessThanOrEqual(5);
    expect(throttled.length).toBeGreaterThanOrEqual(7);
    expect(throttled[0]!.body).toMatchObject({ code: 'citizen.sign_in_throttled' });
    expect(await evaluated('no_match')).toBe(refused.length);
  });

  it('does not lock the citizen out: from another address her face still starts a sign-in', async () => {
    const mine = await faceFrom('198.51.100.20', citizenId, await livePhoto('anna', 1));
    expect(mine.status).toBe(202);
  });

  it('an unknown id and a known one answer and count the same', async () => {
    const run = async (source: string, id: string, image: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await faceFrom(source, id, image)).status);
      return statuses;
    };
    const unknown = await run('198.51.100.31', 'psn_aaaaaaaaaaaaaaaaaaaaaaaaaa', await livePhoto('anna', 1));
    const known = await run('198.51.100.32', citizenId, await livePhoto('boris', 1));
    expect(unknown).toEqual([401, 401, 401, 401, 401, 429]);
    expect(known).toEqual(unknown);
  });

  it('wrong one-time codes are throttled per person for second factors and per source for codes, and recorded', async () => {
    const source = '198.51.100.40';
    const challenge = async () => {
      const face = await faceFrom(source, citizenId, await livePhoto('anna', 1));
      expect(face.status).toBe(202);
      const sent = await post(
        '/v1/citizen/sessions/second-factor/code',
        { signInToken: face.body.signInToken },
        source,
      );
      expect(sent.status).toBe(202);
      return face.body.signInToken as string;
    };
    const complete = (signInToken: string, code: string, from = source) =>
      post('/v1/citizen/sessions/second-factor', { signInToken, code }, from);
    const before = await evaluated('no_match');
    const first = await challenge();
    const right = lastCode(registry, 'email', (await ensureContact(registry, citizenId)).to);
    const wrong = right === '000000' ? '000001' : '000000';
    expect((await complete(first, wrong)).status).toBe(401);
    expect((await complete(first, wrong)).status).toBe(401);
    expect((await complete(first, wrong)).status).toBe(401);
    // Three wrong codes end the challenge: the right one no longer completes it.
    expect((await complete(first, right, '198.51.100.41')).status).toBe(401);
    // The person's fifth second-factor attempt in the window is the last one evaluated.
    const second = await challenge();
    expect((await complete(second, wrong, '198.51.100.42')).status).toBe(401);
    const sixth = await complete(second, wrong, '198.51.100.43');
    expect([sixth.status, sixth.body.code]).toEqual([429, 'citizen.sign_in_throttled']);
    expect(await evaluated('no_match')).toBe(before + 5);
    expect(await evaluated('refused:citizen.sign_in_throttled')).toBe(1);

    // Operator-code guesses count per source, for any id.
    const guesses = [];
    for (let i = 0; i < 6; i++) {
      guesses.push(
        (await post('/v1/citizen/sessions', { citizenId, code: `guess-${i}-xxxxxxxx` }, '198.51.100.50')).status,
      );
    }
    expect(guesses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
