import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import type { LIVE_FACES } from '../registry.js';
import { client, livePhoto, registerRelyingParty, signIn, startTestRegistry, TestClock } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

type Who = keyof typeof LIVE_FACES;

/**
 * Venue and office entry end to end (issue 12), on real faces: passes only for people who consented, a face
 * at a door searched among that venue's pass holders only (a consenting person off the list is not found,
 * though a segment-wide search finds them), visitor windows and uses, ended passes, idempotent door events,
 * the entry log, and the holder's own usage history.
 */
describe.each(dialects)('venues on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  const clock = new TestClock();
  let office: { key: string; id: string };
  let other: { key: string; id: string };
  const people: Partial<Record<Who, { pseudonym: string; citizenId: string }>> = {};
  let venueId = '';
  const as = (key: string) => client(registry.app)(key);
  const enter = async (who: Who, eventId: string, doorId = 'front', venue = venueId, key = office.key) =>
    as(key)('POST', `/v1/venues/${venue}/entries`, { eventId, doorId, image: await livePhoto(who, 1) });
  const entryCount = async () =>
    Number(
      (
        await registry.store.db
          .selectFrom('venue_entries')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine, {}, { clock }));
    office = await registerRelyingParty(registry.app, { name: 'City Hall', purposes: ['venue_access'] });
    other = await registerRelyingParty(registry.app, { name: 'Museum', purposes: ['venue_access'] });
    for (const [who, consents] of [
      ['anna', ['venue_access']],
      ['boris', ['venue_access']],
      ['vera', ['venue_access']],
      ['gleb', []],
    ] as const) {
      const res = await as(office.key)('POST', '/v1/persons', {
        segment: 'moscow',
        channel: 'kiosk',
        image: await livePhoto(who, 0),
        consents,
      });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
      people[who] = { pseudonym: res.body.personId, citizenId: res.body.receipt.citizenId };
    }
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('creates a venue in one of its segments only, and keeps it from other parties', async () => {
    const created = await as(office.key)('POST', '/v1/venues', { name: 'City Hall, east wing', segment: 'moscow' });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^ven_/);
    venueId = created.body.id;
    expect((await as(office.key)('POST', '/v1/venues', { name: 'Elsewhere', segment: 'kazan' })).body.code).toBe(
      'auth.forbidden',
    );
    const transit = await registerRelyingParty(registry.app, { name: 'Metro' });
    expect((await as(transit.key)('POST', '/v1/venues', { name: 'Metro', segment: 'moscow' })).status).toBe(403);
    const foreign = await as(other.key)('GET', `/v1/venues/${venueId}/entries`);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'venue.not_found']);
  });

  it('gives passes only to people who consented, and refuses a visitor pass without a window and uses', async () => {
    const staff = await as(office.key)('POST', `/v1/venues/${venueId}/access`, {
      personId: people.anna!.pseudonym,
      kind: 'staff',
    });
    expect(staff.status).toBe(201);
    expect(staff.body.id).toMatch(/^vac_/);
    const noConsent = await as(office.key)('POST', `/v1/venues/${venueId}/access`, {
      personId: people.gleb!.pseudonym,
      kind: 'staff',
    });
    expect([noConsent.status, noConsent.body.code]).toEqual([403, 'consent.missing']);
    const open = await as(office.key)('POST', `/v1/venues/${venueId}/access`, {
      personId: people.boris!.pseudonym,
      kind: 'visitor',
    });
    expect([open.status, open.body.code]).toEqual([422, 'venue.window_invalid']);
    const backwards = await as(office.key)('POST', `/v1/venues/${venueId}/access`, {
      personId: people.boris!.pseudonym,
      kind: 'visitor',
      validFrom: '2030-01-02T00:00:00Z',
      validTo: '2030-01-01T00:00:00Z',
      uses: 1,
    });
    expect(backwards.body.code).toBe('venue.window_invalid');
    const unknown = await as(office.key)('POST', `/v1/venues/${venueId}/access`, {
      personId: 'psn_aaaaaaaaaaaaaaaaaaaaaaaaaa',
      kind: 'staff',
    });
    expect(unknown.body.code).toBe('person.not_found');
    const elsewhere = await as(office.key)('POST', '/v1/venues/ven_aaaaaaaaaaaaaaaaaaaaaaaaaa/access', {
      personId: people.anna!.pseudonym,
      kind: 'staff',
    });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([404, 'venue.not_found']);
    expect(await registry.store.db.selectFrom('venue_access').selectAll().execute()).toHaveLength(1);
  });

  it('opens for a pass holder, and searches only the venue’s pass holders', async () => {
    const anna = await enter('anna', 'e-1');
    expect(anna.status).toBe(200);
    expect(anna.body).toEqual({ eventId: 'e-1', decision: 'open', personId: people.anna!.pseudonym });

    // vera consented to the party and a segment-wide search finds her; at the door she is not on the list.
    const wide = await as(office.key)('POST', '/v1/identifications', {
      purpose: 'venue_access',
      image: await livePhoto('vera', 1),
    });
    expect(wide.body.candidates[0].personId).toBe(people.vera!.pseudonym);
    expect((await enter('vera', 'e-2')).body).toEqual({ eventId: 'e-2', decision: 'refuse', reason: 'not_recognised' });

    // The audit record of the door's search names the group it was limited to.
    const audits = await registry.store.db
      .selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'identification')
      .where('purpose', '=', 'venue_access')
      .execute();
    const details = audits.map((a) => (typeof a.detail === 'string' ? JSON.parse(a.detail) : a.detail));
    expect(details.filter((d) => d.groupSize === 1)).toHaveLength(2);
  });

  it('keeps a visitor to their window and their number of uses', async () => {
    const from = new Date(clock.now().getTime() + 60 * 60_000).toISOString();
    const to = new Date(clock.now().getTime() + 3 * 60 * 60_000).toISOString();
    const visitor = await as(office.key)('POST', `/v1/venues/${venueId}/access`, {
      personId: people.boris!.pseudonym,
      kind: 'visitor',
      validFrom: from,
      validTo: to,
      uses: 1,
    });
    expect(visitor.status).toBe(201);
    const early = await enter('boris', 'v-1');
    expect(early.body).toEqual({
      eventId: 'v-1',
      decision: 'refuse',
      reason: 'not_allowed',
      personId: people.boris!.pseudonym,
    });
    clock.advance(90);
    expect((await enter('boris', 'v-2')).body.decision).toBe('open');
    expect((await enter('boris', 'v-3')).body).toMatchObject({ decision: 'refuse', reason: 'not_allowed' });
    clock.advance(120);
    expect((await enter('anna', 'v-4')).body.decision).toBe('open'); // staff have no window
  });

  it('answers a retried door event the same, once, and refuses its key for another door', async () => {
    const before = await entryCount();
    const again = await enter('anna', 'e-1');
    expect(again.body).toEqual({ eventId: 'e-1', decision: 'open', personId: people.anna!.pseudonym });
    expect(await entryCount()).toBe(before);
    const otherDoor = await enter('anna', 'e-1', 'back');
    expect([otherDoor.status, otherDoor.body.code]).toEqual([422, 'idempotency.key_reused']);
    const unknownVenue = await enter('anna', 'x-1', 'front', 'ven_aaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect([unknownVenue.status, unknownVenue.body.code]).toEqual([404, 'venue.not_found']);
    const byOther = await enter('anna', 'x-2', 'front', venueId, other.key);
    expect(byOther.body.code).toBe('venue.not_found');
    expect(await entryCount()).toBe(before);
  });

  it('ends a pass: its holder is no longer in the venue’s gallery', async () => {
    const pass = await registry.store.db
      .selectFrom('venue_access')
      .select('id')
      .where('person_ref', '=', people.anna!.pseudonym)
      .executeTakeFirstOrThrow();
    expect((await as(office.key)('DELETE', `/v1/venues/${venueId}/access/${pass.id}`)).status).toBe(204);
    const twice = await as(office.key)('DELETE', `/v1/venues/${venueId}/access/${pass.id}`);
    expect([twice.status, twice.body.code]).toEqual([404, 'venue.access_not_found']);
    expect((await enter('anna', 'r-1')).body).toMatchObject({ decision: 'refuse', reason: 'not_recognised' });
  });

  it('shows the venue its entry log and each holder their entries in their usage history', async () => {
    const log = await as(office.key)('GET', `/v1/venues/${venueId}/entries?limit=100`);
    expect(log.status).toBe(200);
    expect(log.body.items).toHaveLength(await entryCount());
    expect(log.body.items.find((e: { eventId: string }) => e.eventId === 'v-2')).toMatchObject({
      decision: 'open',
      doorId: 'front',
      personId: people.boris!.pseudonym,
    });
    const boris = await signIn(registry, people.boris!.citizenId, await livePhoto('boris', 2));
    const usage = await boris('GET', '/v1/citizen/usage?action=identification&limit=200');
    const entries = usage.body.items.filter((i: { purpose: string }) => i.purpose === 'venue_access');
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(entries[0]).toMatchObject({ relyingPartyId: office.id });
  });
});
