import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { AppError } from '../../src/errors/app-error.js';
import { readScreenReplay } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { flatGrey } from '../images.js';
import { b64, client, livePhoto, registerRelyingParty, startTestRegistry, type Reply } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

/** The engine, with a switch that makes every capture fail as an overloaded engine's does. */
function switchableEngine(engine: FaceEngine) {
  const state = { down: false };
  const proxy = new Proxy(engine, {
    get(target, property) {
      if (property === 'capture' && state.down) {
        return () => Promise.reject(new AppError('engine.unavailable', 'busy', { reason: 'queue_full' }));
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { engine: proxy, state };
}

describe.each(dialects)("a relying party's refused captures are on record, once each, on %s", (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let down: { down: boolean };
  let gate: ReturnType<ReturnType<typeof client>>;
  let pseudonym: string;
  let citizenId: string;

  beforeAll(async () => {
    engine = await startTestEngine();
    const switchable = switchableEngine(engine);
    down = switchable.state;
    ({ registry, store } = await startTestRegistry(dialect, switchable.engine));
    // A party that requires liveness: a face shown on a screen is refused as a suspected spoof.
    const party = await registerRelyingParty(registry.app, { name: 'Gate', requireLiveness: true } as never);
    gate = client(registry.app)(party.key);
    const enrolled = await gate('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'kiosk',
      consents: ['transit_fare'],
      image: await livePhoto('anna', 0),
    });
    expect(enrolled.status).toBe(201);
    pseudonym = enrolled.body.personId as string;
    citizenId = enrolled.body.receipt.citizenId as string;
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  const recordsOf = (r: Reply) =>
    registry.store.db
      .selectFrom('audit_events')
      .select(['action', 'result', 'person_id', 'purpose'])
      .where('request_id', '=', String(r.headers['x-request-id']))
      .execute();

  it('face.spoof_suspected, face.not_found and engine.unavailable after authorisation: one record per call', async () => {
    const images = { spoof: b64(await readScreenReplay()), blank: b64(await flatGrey()) };
    const calls = [
      [
        'verification',
        (image: string) => gate('POST', '/v1/verifications', { personId: pseudonym, purpose: 'transit_fare', image }),
      ],
      ['identification', (image: string) => gate('POST', '/v1/identifications', { purpose: 'transit_fare', image })],
      [
        'enrolment',
        (image: string) =>
          gate('POST', '/v1/persons', { segment: 'moscow', channel: 'kiosk', consents: ['transit_fare'], image }),
      ],
    ] as const;
    for (const [action, call] of calls) {
      for (const [image, engineDown, code] of [
        [images.spoof, false, 'face.spoof_suspected'],
        [images.blank, false, 'face.not_found'],
        [images.blank, true, 'engine.unavailable'],
      ] as const) {
        down.down = engineDown;
        const r = await call(image);
        down.down = false;
        expect([action, r.body.code]).toEqual([action, code]);
        expect(await recordsOf(r)).toEqual([
          {
            action,
            result: `refused:${code}`,
            // A spoof attempt against a named person shows in that person's own history.
            person_id: action === 'verification' ? citizenId : null,
            purpose: action === 'enrolment' ? null : 'transit_fare',
          },
        ]);
      }
    }
  });
});
