import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { ADMIN_KEY, b64, client, newEnrolment, newRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();
const LOOK_ALIKES = 450;

/** A unit vector a small random step away from `v`: a look-alike that scores just under 1 against it. */
function near(v: Float32Array, step: number): Float32Array {
  const out = v.map((x) => x + (Math.random() - 0.5) * step);
  const norm = Math.hypot(...out);
  return out.map((x) => x / norm);
}

describe.each(dialects)('identification and erasure under pressure on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine));
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('erase once: one "deleted" record, and the second call answers as for a person already erased', async () => {
    const metro = client(registry.app)(await newRelyingParty(registry.app));
    const admin = client(registry.app)(ADMIN_KEY);
    const faces = [
      ['amy', 'amy1.png'],
      ['penny', 'penny1.png'],
      ['howard', 'howard1.png'],
    ] as const;
    for (const face of faces) {
      const citizenId = (await metro('POST', '/v1/persons', await newEnrolment(face))).body.receipt.citizenId as string;
      const answers = await Promise.all([1, 2, 3].map(() => admin('DELETE', `/v1/persons/${citizenId}`)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404]);
      expect(answers.filter((a) => a.status === 404).map((a) => a.body.code)).toEqual([
        'person.not_found',
        'person.not_found',
      ]);
      // The same answer as an erasure asked for afterwards.
      expect((await admin('DELETE', `/v1/persons/${citizenId}`)).body.code).toBe('person.not_found');
      const records = await registry.store.db
        .selectFrom('audit_events')
        .select(['result'])
        .where('person_id', '=', citizenId)
        .where('action', '=', 'person.delete')
        .execute();
      expect(records.map((r) => r.result)).toEqual(['deleted']);
    }
  });

  it('no number of look-alikes without consent crowds out a consenting person', async () => {
    const metro = client(registry.app)(await newRelyingParty(registry.app));
    const amy = await metro('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']));
    expect(amy.status).toBe(201);
    // 450 look-alikes, closer to the probe than amy herself, whom nobody consented for (they are in the matcher
    // but have no grant in the store): the probe's own vector in the segment's space, moved a little.
    const probe = await readFace('small', 'amy', 'amy2.png');
    const captured = await engine.capture(probe, { requireLiveness: false });
    const { modelPack, vector } = captured.template;
    const galleries = registry.services.galleries as unknown as {
      queries(segments: string[], probe: Float32Array): Promise<{ segment: string; query: Float32Array }[]>;
    };
    const [query] = await galleries.queries(['moscow'], vector);
    for (let i = 0; i < LOOK_ALIKES; i++) {
      registry.matcher.add({
        templateId: `tpl_lookalike${i}`,
        personId: `psn_lookalike${i}`,
        segment: query!.segment,
        modelPack,
        vector: near(query!.query, 0.01),
      });
    }
    // The control: the matcher's first 200 (the old pool) are all look-alikes.
    const top = await registry.services.galleries.identify(['moscow'], modelPack, vector, { k: 200, minScore: 0 });
    expect(top.every((h) => h.owner.startsWith('psn_lookalike'))).toBe(true);

    const found = await metro('POST', '/v1/identifications', { purpose: 'transit_fare', image: b64(probe) });
    expect(found.status).toBe(200);
    expect(found.body.candidates.map((c: { personId: string }) => c.personId)).toEqual([amy.body.personId]);
  });
});
