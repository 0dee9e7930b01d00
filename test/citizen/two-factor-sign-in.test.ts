import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import {
  ADMIN_KEY,
  client,
  lastCode,
  livePhoto,
  newOperator,
  outboxMessages,
  registerRelyingParty,
  startTestRegistry,
} from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

const PHONE = '+77010000001';

/**
 * Issue 9, point 2: whoever enrolled a face holds the citizen id and the photo, and must still not be able to
 * act as the citizen. The face is one factor; a code sent to the contact the citizen gave is the second.
 */
describe.each(dialects)('two-factor citizen sign-in on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let city: { key: string; id: string };
  let metro: { key: string; id: string };
  let citizenId: string;
  let enrolmentPhoto: string;
  const anon = () => client(registry.app)();
  const historyOf = async (personId: string) =>
    registry.store.db
      .selectFrom('audit_events')
      .select(['action', 'result', 'actor_id', 'detail'])
      .where('person_id', '=', personId)
      .where('action', 'in', ['citizen.sign_in', 'citizen.sign_in_code', 'contact.change'])
      .orderBy('seq')
      .execute();

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine));
    city = await registerRelyingParty(registry.app, { name: 'City app', purposes: ['transit_fare'] });
    metro = await registerRelyingParty(registry.app, { name: 'Metro', purposes: ['transit_fare'] });
    enrolmentPhoto = await livePhoto('anna', 0);
    const enrolled = await client(registry.app)(city.key)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'city_app',
      image: enrolmentPhoto,
      consents: [],
      contact: '+7 701 000-00-01',
    });
    expect(enrolled.status).toBe(201);
    citizenId = enrolled.body.receipt.citizenId;
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('the receipt holds no secret: only the contact the first code goes to, masked', async () => {
    const again = await client(registry.app)(city.key)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'city_app',
      image: await livePhoto('gleb', 0),
      contact: 'not a contact',
    });
    expect([again.status, again.body.code]).toEqual([400, 'request.invalid']);
    const person = await registry.repositories.persons.findOpen(citizenId);
    const contact = await registry.services.contacts.of(citizenId, person!.segment_id);
    expect(contact).toEqual({ phone: PHONE });
  });

  it('the enrolling party, with the receipt and the very photo it took, gets no session', async () => {
    const face = await anon()('POST', '/v1/citizen/sessions', { citizenId, image: enrolmentPhoto });
    // Old main answered 201 with a session token here.
    expect(face.status).toBe(202);
    expect(face.body).toMatchObject({ factors: ['face'], secondFactors: ['code'] });
    expect(face.body.token).toBeUndefined();
    expect((await client(registry.app)(face.body.signInToken)('GET', '/v1/citizen/me')).status).toBe(401);

    // It can have the code sent, but the code goes to the citizen's phone, and guessing kills the challenge.
    const sent = await anon()('POST', '/v1/citizen/sessions/second-factor/code', {
      signInToken: face.body.signInToken,
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ channel: 'sms', sentTo: '+7*******001' });
    expect(JSON.stringify(sent.body)).not.toMatch(/\b\d{6}\b/);
    const code = lastCode(registry, 'sms', PHONE);
    const guesses = ['000000', '111111', '222222'].filter((g) => g !== code);
    for (const guess of guesses.slice(0, 3)) {
      const wrong = await anon()('POST', '/v1/citizen/sessions/second-factor', {
        signInToken: face.body.signInToken,
        code: guess,
      });
      expect([wrong.status, wrong.body.code]).toEqual([401, 'citizen.sign_in_failed']);
    }
    if (guesses.length === 3) {
      const late = await anon()('POST', '/v1/citizen/sessions/second-factor', {
        signInToken: face.body.signInToken,
        code,
      });
      expect(late.status).toBe(401);
    }
    // The citizen's phone got the code with a warning, and the history shows every step.
    expect(outboxMessages(registry, 'sms').at(-1)!.text).toMatch(/If you did not ask for it/);
    const history = await historyOf(citizenId);
    expect(history.map((h) => `${h.action} ${h.result}`)).toEqual([
      'citizen.sign_in first_factor',
      'citizen.sign_in_code sent',
      ...guesses.slice(0, 3).map(() => 'citizen.sign_in no_match'),
      ...(guesses.length === 3 ? ['citizen.sign_in no_match'] : []),
    ]);
  });

  it('the citizen activates with face and the code from their phone; that verifies the contact', async () => {
    const face = await anon()('POST', '/v1/citizen/sessions', { citizenId, image: await livePhoto('anna', 1) });
    expect(face.status).toBe(202);
    const { signInToken } = face.body;
    expect((await anon()('POST', '/v1/citizen/sessions/second-factor/code', { signInToken })).status).toBe(202);
    expect(outboxMessages(registry, 'sms').at(-1)!.text).toMatch(/activation code/);
    const done = await anon()('POST', '/v1/citizen/sessions/second-factor', {
      signInToken,
      code: lastCode(registry, 'sms', PHONE),
    });
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ citizenId, method: 'face+code', stepUpRequired: false });
    const me = await client(registry.app)(done.body.token)('GET', '/v1/citizen/me');
    expect(me.body.contact).toMatchObject({ phone: PHONE, verifiedAt: expect.any(String) });
    // A used challenge opens nothing more.
    const reused = await anon()('POST', '/v1/citizen/sessions/second-factor', {
      signInToken,
      code: lastCode(registry, 'sms', PHONE),
    });
    expect(reused.status).toBe(401);
  });

  it('an operator has a code sent to the citizen, never sees it, and its session must step up before grants', async () => {
    const operator = client(registry.app)(await newOperator(registry.app, ['moscow']));
    const before = outboxMessages(registry, 'sms').length;
    const sent = await operator('POST', `/v1/persons/${citizenId}/sign-in-codes`);
    // Old main answered { code, expiresAt } to the operator.
    expect(sent.status).toBe(201);
    expect(Object.keys(sent.body).sort()).toEqual(['channel', 'expiresAt', 'sentTo']);
    expect(sent.body).toMatchObject({ channel: 'sms', sentTo: '+7*******001' });
    expect(outboxMessages(registry, 'sms')).toHaveLength(before + 1);
    const asked = (await historyOf(citizenId)).filter((h) => h.action === 'citizen.sign_in_code').at(-1)!;
    const operatorId = (await operator('GET', '/v1/me')).body.id;
    expect(asked.actor_id).toBe(operatorId);

    const code = lastCode(registry, 'sms', PHONE);
    const opened = await anon()('POST', '/v1/citizen/sessions', { citizenId, code });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ method: 'code', stepUpRequired: true });
    const session = client(registry.app)(opened.body.token);
    expect((await session('GET', '/v1/citizen/me')).status).toBe(200);
    const grant = await session('POST', '/v1/citizen/consents', {
      relyingPartyId: metro.id,
      purpose: 'transit_fare',
      scope: 'all',
    });
    expect([grant.status, grant.body.code]).toEqual([403, 'citizen.step_up_required']);
    const contact = await session('PUT', '/v1/citizen/contact', { phone: '+77019999999' });
    expect([contact.status, contact.body.code]).toEqual([403, 'citizen.step_up_required']);
    const lock = await session('POST', '/v1/citizen/locks', { purpose: 'transit_fare' });
    expect(lock.status).toBe(201);
    const unlock = await session('DELETE', `/v1/citizen/locks/${lock.body.id}`);
    expect([unlock.status, unlock.body.code]).toEqual([403, 'citizen.step_up_required']);

    // Another face does not step it up; the citizen's own does.
    const wrong = await session('POST', '/v1/citizen/sessions/current/step-up', { image: await livePhoto('boris', 1) });
    expect(wrong.status).toBe(401);
    const stepped = await session('POST', '/v1/citizen/sessions/current/step-up', {
      image: await livePhoto('anna', 2),
    });
    expect([stepped.status, stepped.body.method]).toEqual([200, 'code+face']);
    expect((await session('GET', '/v1/citizen/me')).body.session.stepUpRequired).toBe(false);
    const granted = await session('POST', '/v1/citizen/consents', {
      relyingPartyId: metro.id,
      purpose: 'transit_fare',
    });
    expect(granted.status).toBe(201);
  });

  it('an operator cannot have a code sent where no verified contact is held', async () => {
    const enrolled = await client(registry.app)(city.key)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'city_app',
      image: await livePhoto('vera', 0),
      contact: 'vera@example.org',
    });
    expect(enrolled.body.receipt.activationContact).toBe('v***@e******.org');
    const refused = await client(registry.app)(ADMIN_KEY)(
      'POST',
      `/v1/persons/${enrolled.body.receipt.citizenId}/sign-in-codes`,
    );
    expect([refused.status, refused.body.code]).toEqual([409, 'citizen.no_contact']);
  });
});
