import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { Matcher } from '../../src/matcher/matcher.js';
import { MatcherSync } from '../../src/modules/templates/matcher-sync.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { b64, client, newRelyingParty, startTestRegistry } from '../registry.js';
import type { TestStore } from '../stores.js';

/**
 * The change feed's ordering rules, on SQLite (the logic is the store's, not the dialect's): PostgreSQL may
 * make event 3 visible before event 2, so a gap holds the cursor back until it fills or times out.
 */
describe('the matcher change feed', () => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  const templates: string[] = [];

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry('sqlite', engine));
    const api = client(registry.app)(await newRelyingParty(registry.app));
    for (const face of [
      ['amy', 'amy1.png'],
      ['penny', 'penny1.png'],
      ['howard', 'howard1.png'],
    ] as const) {
      const r = await api('POST', '/v1/persons', {
        segment: 'moscow',
        channel: 'kiosk',
        consents: [],
        image: b64(await readFace('small', ...face)),
      });
      templates.push(r.body.templateId as string);
    }
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('applies events past a gap at once, but holds its cursor until the gap fills or times out', async () => {
    const { db } = registry.store;
    const events = await db.selectFrom('template_events').selectAll().orderBy('seq').execute();
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    // Event 2 "not yet committed":
    await db.deleteFrom('template_events').where('seq', '=', 2).execute();
    let now = Date.parse('2026-11-23T12:00:00Z');
    const matcher = new Matcher();
    const sync = new MatcherSync(registry.repositories, matcher, registry.services.vault, {
      now: () => new Date(now),
    });
    await sync.catchUp();
    expect([...matcher.templateIds()].sort()).toEqual([templates[0], templates[2]].sort());

    await db.insertInto('template_events').values(events[1]!).execute(); // it commits
    await sync.catchUp();
    expect(matcher.size()).toBe(3);

    // A gap that never fills (a rolled-back insert) is passed after the patience period…
    const removal = {
      kind: 'removed' as const,
      template_id: templates[0]!,
      person_id: 'x',
      segment_id: 'moscow',
      at: '',
    };
    await db
      .insertInto('template_events')
      .values({ ...removal, seq: 5 })
      .execute();
    await sync.catchUp();
    expect(matcher.has(templates[0]!)).toBe(false);
    now += 31_000;
    await sync.catchUp();
    // …after which an event numbered inside it is no longer read (so the cursor did move past it).
    await db
      .insertInto('template_events')
      .values({ ...removal, template_id: templates[1]!, seq: 4 })
      .execute();
    await sync.catchUp();
    expect(matcher.has(templates[1]!)).toBe(true);
  });

  it('shares concurrent catch-ups and loses no event committed before a call', async () => {
    const { db } = registry.store;
    const matcher = new Matcher();
    const sync = new MatcherSync(registry.repositories, matcher, registry.services.vault, {
      now: () => new Date(),
    });
    await Promise.all([sync.catchUp(), sync.catchUp(), sync.catchUp()]);
    const stored = await db.selectFrom('templates').select('id').execute();
    const removed = await db
      .selectFrom('template_events')
      .select('template_id')
      .where('kind', '=', 'removed')
      .execute();
    const expected = stored.map((t) => t.id).filter((id) => !removed.some((r) => r.template_id === id));
    expect([...matcher.templateIds()].sort()).toEqual(expected.sort());
  });
});
