import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import type { Notice, Notifier } from '../../src/modules/notifications/notifier.js';
import { startTestEngine } from '../engine.js';
import {
  ADMIN_KEY,
  client,
  lastCode,
  livePhoto,
  newOperator,
  registerRelyingParty,
  signIn,
  startTestRegistry,
  type LIVE_FACES,
} from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

/** Records every notice instead of sending it. */
class CapturingNotifier implements Notifier {
  readonly name = 'capture';
  readonly sent: Notice[] = [];
  send(notice: Notice): Promise<void> {
    this.sent.push(notice);
    return Promise.resolve();
  }
}

describe.each(dialects)('leak incidents on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  const notifier = new CapturingNotifier();
  let leaky: { key: string; id: string };
  let gate: { key: string; id: string };
  const citizens: Partial<Record<keyof typeof LIVE_FACES, string>> = {};

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine, {}, { notifier }));
    leaky = await registerRelyingParty(registry.app, { name: 'Leaky Bank', segments: ['moscow', 'kazan'] });
    gate = await registerRelyingParty(registry.app, { name: 'Office gate', purposes: ['venue_access'] });
    const enrol = async (who: keyof typeof LIVE_FACES, segment: string) => {
      const res = await client(registry.app)(leaky.key)('POST', '/v1/persons', {
        segment,
        channel: 'bank_branch',
        image: await livePhoto(who, 0),
        consents: ['transit_fare'],
      });
      expect(res.status).toBe(201);
      citizens[who] = res.body.receipt.citizenId;
    };
    await enrol('anna', 'moscow');
    await enrol('boris', 'moscow');
    await enrol('vera', 'moscow');
    await enrol('gleb', 'kazan');
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('notifies exactly the affected citizens, once each, re-keys, revokes, and shows citizens what happened', async () => {
    const anna = await signIn(registry, citizens.anna!, await livePhoto('anna', 1));
    const change = await anna('PUT', '/v1/citizen/contact', { email: 'anna@example.org' });
    expect([change.status, change.body.sentTo]).toEqual([202, 'a***@e******.org']);
    const confirmed = await anna('POST', '/v1/citizen/contact/confirmation', {
      confirmationToken: change.body.confirmationToken,
      code: lastCode(registry, 'email', 'anna@example.org'),
    });
    expect(confirmed.status).toBe(200);
    // The bank works in both segments: only an operator of both (or an administrator) may cut it off.
    const operator = client(registry.app)(await newOperator(registry.app, ['moscow', 'kazan']));
    const opened = await operator('POST', '/v1/incidents', {
      responsible: { kind: 'relying_party', id: leaky.id },
      scope: { segmentId: 'moscow' },
      description: 'A backup of enrolment data was exposed by the bank',
      contact: 'dpo@moscow.example',
      revokeCredentials: true,
    });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      affectedCitizens: 3,
      notificationsQueued: 3,
      notificationsSent: 3,
      credentialsRevoked: true,
      rekeyed: [{ segment: 'moscow', transformVersion: 2, templatesMoved: 3 }],
    });
    const moscow = [citizens.anna, citizens.boris, citizens.vera].sort();
    expect(notifier.sent.map((n) => n.personId).sort()).toEqual(moscow);
    expect(notifier.sent.find((n) => n.personId === citizens.anna)!.contact).toEqual({ email: 'anna@example.org' });
    // Delivering again sends nothing twice.
    expect(await registry.services.outbox.deliver()).toBe(0);
    expect(notifier.sent).toHaveLength(3);
    // The responsible party is cut off.
    expect((await client(registry.app)(leaky.key)('GET', '/v1/segments')).status).toBe(401);

    const seen = (await anna('GET', '/v1/citizen/incidents')).body.incidents;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      id: opened.body.id,
      responsible: { kind: 'relying_party', id: leaky.id, name: 'Leaky Bank' },
      contact: 'dpo@moscow.example',
      actions: { rekey: true, revokeCredentials: true },
      notice: { status: 'sent' },
    });
    const gleb = await signIn(registry, citizens.gleb!, await livePhoto('gleb', 1));
    expect((await gleb('GET', '/v1/citizen/incidents')).body.incidents).toEqual([]);
  });

  it("scopes an incident to a relying party's uses: only the people it touched hear of it", async () => {
    const boris = await signIn(registry, citizens.boris!, await livePhoto('boris', 1));
    await boris('POST', '/v1/citizen/consents', { relyingPartyId: gate.id, purpose: 'venue_access' });
    const seen = await client(registry.app)(gate.key)('POST', '/v1/identifications', {
      purpose: 'venue_access',
      image: await livePhoto('boris', 2),
    });
    expect(seen.body.candidates).toHaveLength(1);
    const before = notifier.sent.length;
    const admin = client(registry.app)(ADMIN_KEY);
    const opened = await admin('POST', '/v1/incidents', {
      responsible: { kind: 'relying_party', id: gate.id },
      scope: { relyingPartyId: gate.id, from: new Date(Date.now() - 3_600_000).toISOString() },
      description: "The gate vendor's logs were copied",
      contact: 'security@gate.example',
      rekey: false,
    });
    expect(opened.body).toMatchObject({ affectedCitizens: 1, rekeyed: [], credentialsRevoked: false });
    expect(notifier.sent.slice(before).map((n) => n.personId)).toEqual([citizens.boris]);
    // Nothing to scope is refused.
    const empty = await admin('POST', '/v1/incidents', {
      responsible: { kind: 'relying_party', id: gate.id },
      scope: {},
      description: 'x',
      contact: 'y',
    });
    expect([empty.status, empty.body.code]).toEqual([422, 'incident.scope_empty']);
  });

  it("renews only the responsible party's own template view when it keeps one", async () => {
    const bank = await registerRelyingParty(registry.app, { name: 'Own-view bank', ownTemplateView: true });
    const enrolled = await client(registry.app)(bank.key)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'bank_branch',
      image: await livePhoto('kid', 0),
      consents: ['transit_fare'],
    });
    expect(enrolled.status).toBe(201);
    const others = async () =>
      (await registry.store.db.selectFrom('templates').select('id').where('transform_view', '=', '').execute())
        .map((t) => t.id)
        .sort();
    const before = await others();
    const opened = await client(registry.app)(ADMIN_KEY)('POST', '/v1/incidents', {
      responsible: { kind: 'relying_party', id: bank.id },
      scope: { relyingPartyId: bank.id },
      description: "The bank's enrolment tablets were stolen",
      contact: 'security@bank.example',
    });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      affectedCitizens: 1,
      rekeyed: [{ segment: 'moscow', relyingPartyId: bank.id, transformVersion: 2, templatesMoved: 1 }],
    });
    expect(await others()).toEqual(before);
  });
});
