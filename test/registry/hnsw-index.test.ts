import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { SMALL_SET } from '../faces/small-set.js';
import { ADMIN_KEY, b64, client, newRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();
const people = Object.entries(SMALL_SET).map(([who, photos]) => ({ who, files: Object.keys(photos) }));

/**
 * The registry searching through the approximate index: the switch point at 0 makes every search go through
 * the usearch graph, so what the flows expect of the exact scan must hold of the graph too.
 */
describe.each(dialects)('the approximate index in the registry on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let restart: (env?: Record<string, string>) => Promise<Registry>;

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store, restart } = await startTestRegistry(dialect, engine, { OBLIK_INDEX_EXACT_BELOW: '0' }));
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('identifies every person at rank 1, never returns an erased one, and finds the rest after a restart', async () => {
    const kazanKey = await newRelyingParty(registry.app, { segments: ['kazan'] });
    const kazan = client(registry.app)(kazanKey);
    const enrolled = new Map<string, string>();
    const citizenIds = new Map<string, string>();
    for (const { who, files } of people) {
      const res = await kazan('POST', '/v1/persons', {
        segment: 'kazan',
        channel: 'kiosk',
        image: b64(await readFace('small', who, files[0]!)),
        consents: ['transit_fare'],
      });
      expect([who, res.status]).toEqual([who, 201]);
      enrolled.set(who, res.body.personId as string);
      citizenIds.set(who, res.body.receipt.citizenId as string);
    }
    // The graph's links are allocated beyond the float templates the exact scan alone would hold.
    const stats = registry.matcher.stats().find((s) => s.templates === people.length);
    expect(stats?.bytes).toBeGreaterThan(1024 * 512 * 4);

    const identify = async (call: typeof kazan, who: string, file: string) => {
      const res = await call('POST', '/v1/identifications', {
        purpose: 'transit_fare',
        segment: 'kazan',
        image: b64(await readFace('small', who, file)),
      });
      expect(res.status).toBe(200);
      return res.body.candidates.map((c: { personId: string }) => c.personId) as string[];
    };
    for (const { who, files } of people)
      expect([who, await identify(kazan, who, files[1]!)]).toEqual([who, [enrolled.get(who)]]);

    const [erasedWho, erasedFiles] = [people[0]!.who, people[0]!.files];
    const erased = await client(registry.app)(ADMIN_KEY)('DELETE', `/v1/persons/${citizenIds.get(erasedWho)}`);
    expect(erased.status).toBe(200);
    expect(await identify(kazan, erasedWho, erasedFiles[1]!)).toEqual([]);

    await registry.close();
    registry = await restart();
    // Loaded from the store at start: the same answers, the erased person still absent.
    const again = client(registry.app)(kazanKey);
    for (const { who, files } of people.slice(1))
      expect([who, await identify(again, who, files[1]!)]).toEqual([who, [enrolled.get(who)]]);
    expect(await identify(again, erasedWho, erasedFiles[1]!)).toEqual([]);
  });
});
