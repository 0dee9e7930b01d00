import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { darkened, flatGrey, groupPhoto, tightCrop, tinyFace } from '../images.js';
import { ADMIN_KEY, b64, client, newOperator, registerRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

describe.each(dialects)('capture quality checks and the calling credential on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let desk: { key: string; id: string };
  let anna: Buffer;
  const api = (key?: string) => client(registry.app)(key);
  const check = (key: string, image: Buffer, segment = 'moscow') =>
    api(key)('POST', '/v1/captures/quality', { segment, image: b64(image) });

  beforeAll(async () => {
    engine = await startTestEngine({ OBLIK_ENGINE_THREADS: '1' });
    ({ registry, store } = await startTestRegistry(dialect, engine));
    desk = await registerRelyingParty(registry.app, { name: 'Desk', rights: ['enrol'] });
    anna = await readFace('small', 'deepface5', 'img1.jpg');
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('answers the engine’s reasons for one frame, and nothing that could match or tune a spoof', async () => {
    const good = await check(desk.key, anna);
    expect(good.status).toBe(200);
    expect(Object.keys(good.body).sort()).toEqual(['box', 'faces', 'measures', 'ready', 'reasons', 'score']);
    expect(good.body).toMatchObject({ ready: true, reasons: [], faces: 1 });
    for (const v of Object.values(good.body.box as Record<string, number>)) expect(v).toBeGreaterThanOrEqual(0);
    expect(good.body.box.x + good.body.box.width).toBeLessThanOrEqual(1);
    expect(JSON.stringify(good.body)).not.toMatch(/liveness|template|personId|candidate/);

    expect((await check(desk.key, await flatGrey())).body).toMatchObject({ ready: false, reasons: ['no_face'] });
    expect((await check(desk.key, await tinyFace(anna))).body.reasons).toContain('face_too_small');
    expect((await check(desk.key, await darkened(anna))).body.reasons).toContain('underexposed');
    const group = await groupPhoto(anna, await readFace('small', 'deepface6', 'img13.jpg'));
    expect((await check(desk.key, group)).body).toMatchObject({ ready: false, faces: 2, reasons: ['multiple_faces'] });
  });

  it('agrees with enrolment: a frame it calls ready enrols, one it refuses is refused for the same reason', async () => {
    const dark = await darkened(anna);
    const refused = await api(desk.key)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'kiosk',
      image: b64(dark),
    });
    expect(refused.status).toBe(422);
    // The guidance names the same reasons enrolment refuses for.
    const guidance = (await check(desk.key, dark)).body.reasons as string[];
    expect(refused.body).toMatchObject({ code: 'face.low_quality' });
    expect([...(refused.body.data.reasons as string[])].sort()).toEqual([...guidance].sort());
    expect(guidance).toContain('underexposed');
    const enrolled = await api(desk.key)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'kiosk',
      image: b64(anna),
    });
    expect(enrolled.status).toBe(201);
  });

  it('tells a desk whose party requires liveness to step back from a crop too tight to check it', async () => {
    const strict = await registerRelyingParty(registry.app, { rights: ['enrol'], requireLiveness: true } as never);
    const crop = await tightCrop(await readFace('small', 'amy', 'amy1.png'));
    expect((await check(desk.key, crop)).body.reasons).toEqual([]);
    expect((await check(strict.key, crop)).body).toMatchObject({ ready: false, reasons: ['too_close'] });
  });

  it('stores nothing and searches nothing: no person, template or audit record appears', async () => {
    const before = await api(ADMIN_KEY)('GET', '/v1/audit-events?limit=1000');
    const templates = registry.matcher.size();
    for (let i = 0; i < 3; i++) expect((await check(desk.key, anna)).status).toBe(200);
    const after = await api(ADMIN_KEY)('GET', '/v1/audit-events?limit=1000');
    expect(after.body.events).toEqual(before.body.events);
    expect(registry.matcher.size()).toBe(templates);
  });

  it('is for parties that may enrol in the segment: others are refused, and the refusal is audited', async () => {
    const verifier = await registerRelyingParty(registry.app, { rights: ['verify'] });
    const operator = await newOperator(registry.app, ['moscow']);
    expect((await check(verifier.key, anna)).body.code).toBe('auth.forbidden');
    expect((await check(desk.key, anna, 'kazan')).body.code).toBe('auth.forbidden');
    expect((await check(operator, anna)).body.code).toBe('auth.forbidden');
    expect((await check(ADMIN_KEY, anna)).body.code).toBe('auth.forbidden');
    const anonymous = await api()('POST', '/v1/captures/quality', { segment: 'moscow', image: b64(anna) });
    expect(anonymous.body.code).toBe('auth.unauthorized');
    const bad = await api(desk.key)('POST', '/v1/captures/quality', { segment: 'moscow', image: '***' });
    expect(bad.body.code).toBe('image.unreadable');
    const refusals = await api(ADMIN_KEY)('GET', `/v1/audit-events?actorId=${verifier.id}`);
    expect(refusals.body.events.map((e: { result: string }) => e.result)).toEqual(['refused:auth.forbidden']);
  });

  it('GET /v1/me says what the calling key may do; GET /v1/operators lists operators to administrators only', async () => {
    const me = await api(desk.key)('GET', '/v1/me');
    expect(me.body).toEqual({
      id: desk.id,
      role: 'relying_party',
      name: 'Desk',
      purposes: ['transit_fare'],
      segments: ['moscow'],
      rights: ['enrol'],
      requireLiveness: false,
    });
    expect((await api(ADMIN_KEY)('GET', '/v1/me')).body.role).toBe('admin');
    expect((await api()('GET', '/v1/me')).body.code).toBe('auth.unauthorized');
    const operator = await newOperator(registry.app, ['kazan']);
    expect((await api(operator)('GET', '/v1/me')).body).toMatchObject({ role: 'operator', segments: ['kazan'] });
    const list = await api(ADMIN_KEY)('GET', '/v1/operators');
    expect(list.status).toBe(200);
    expect(list.body.operators.every((o: { role: string }) => o.role === 'operator')).toBe(true);
    expect(list.body.operators.some((o: { segments: string[] }) => o.segments.includes('kazan'))).toBe(true);
    expect((await api(operator)('GET', '/v1/operators')).body.code).toBe('auth.forbidden');
  });
});
