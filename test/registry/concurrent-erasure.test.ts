import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import { ADMIN_KEY, client, newEnrolment, newRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

describe.each(dialects)('concurrent erasures of one person on %s', (dialect) => {
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
});
