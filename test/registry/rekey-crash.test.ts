import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import { loadConfig } from '../../src/config/config.js';
import { buildRegistry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import { ADMIN_KEY, b64, client, newEnrolment, newOperator, newRelyingParty } from '../registry.js';
import { readFace } from '../datasets.js';
import { newTestStore, testDialects } from '../stores.js';

/**
 * A re-key cut short by a crash is finished at the next start, and the log shows all of it: the operator's
 * re-key (recorded when it began), the destruction of the old seed and the completion, by the registry itself.
 */ import { runCrashScript } from '../crash/run-child.js';

const dialects = await testDialects();
const CHILD = fileURLToPath(new URL('../crash/rekey-then-die.ts', import.meta.url));

function runChild(arg: object) {
  return runCrashScript(CHILD, arg);
}

describe.each(dialects)('a re-key finished at start-up on %s', (dialect) => {
  let engine: FaceEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('records the operator’s re-key, the old seed’s destruction and the completion', async () => {
    const store = await newTestStore(dialect);
    const env = {
      ...store.env,
      OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      OBLIK_SEGMENTS: 'moscow:Moscow',
      OBLIK_LOG_LEVEL: 'silent',
    };
    try {
      const setup = await buildRegistry(loadConfig(env), { engine });
      const metroKey = await newRelyingParty(setup.app);
      const metro = client(setup.app)(metroKey);
      for (const face of [
        ['amy', 'amy1.png'],
        ['penny', 'penny1.png'],
      ] as const) {
        expect((await metro('POST', '/v1/persons', await newEnrolment(face))).status).toBe(201);
      }
      const operator = await client(setup.app)(ADMIN_KEY)('POST', '/v1/operators', {
        name: 'Moscow desk',
        segments: ['moscow'],
      });
      const { apiKey: operatorKey, id: operatorId } = operator.body as { apiKey: string; id: string };
      await setup.close();

      const child = await runChild({ env, operatorKey });
      expect([child.signal, child.out]).toEqual(['SIGKILL', '']);

      const restarted = await buildRegistry(loadConfig(env), { engine });
      try {
        const { db } = restarted.store;
        const transforms = await db
          .selectFrom('segment_transforms')
          .select(['version', 'state', 'wrapped_seed'])
          .where('segment_id', '=', 'moscow')
          .where('view', '=', '')
          .orderBy('version')
          .execute();
        expect(transforms.map((t) => [t.version, t.state, t.wrapped_seed === null])).toEqual([
          [1, 'destroyed', true],
          [2, 'active', false],
        ]);

        const records = await db
          .selectFrom('audit_events')
          .select(['actor_id', 'actor_role', 'result', 'detail', 'segment_id'])
          .where('action', '=', 'segment.rekey')
          .orderBy('seq')
          .execute();
        const summary = records.map((r) => ({
          actorRole: r.actor_role,
          result: r.result,
          segmentId: r.segment_id,
          detail: JSON.parse(r.detail ?? '{}') as Record<string, unknown>,
        }));
        expect(summary).toEqual([
          {
            actorRole: 'operator',
            result: 'started',
            segmentId: 'moscow',
            detail: { relyingPartyId: null, transformVersion: 2 },
          },
          {
            actorRole: 'system',
            result: 'seed_destroyed',
            segmentId: 'moscow',
            detail: { relyingPartyId: null, transformVersion: 1, replacedBy: 2 },
          },
          {
            actorRole: 'system',
            result: 'rekeyed',
            segmentId: 'moscow',
            detail: expect.objectContaining({
              interruptedRekey: true,
              completedAtStartup: true,
              transformVersion: 2,
              destroyedVersions: [1],
            }),
          },
        ]);
        expect(records[0]!.actor_id).toBe(operatorId);

        // The renewed segment matches as before.
        const found = await client(restarted.app)(metroKey)('POST', '/v1/identifications', {
          purpose: 'transit_fare',
          image: b64(await readFace('small', 'amy', 'amy2.png')),
        });
        expect(found.status).toBe(200);
        expect(found.body.candidates).toHaveLength(1);
      } finally {
        await restarted.close();
      }
    } finally {
      await store.dispose();
    }
  });

  it('an uninterrupted re-key records its start, the seed destroyed and its end, by the operator', async () => {
    const store = await newTestStore(dialect);
    const env = {
      ...store.env,
      OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      OBLIK_SEGMENTS: 'moscow:Moscow',
      OBLIK_LOG_LEVEL: 'silent',
    };
    const registry = await buildRegistry(loadConfig(env), { engine });
    try {
      const metro = client(registry.app)(await newRelyingParty(registry.app));
      expect((await metro('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']))).status).toBe(201);
      const operator = client(registry.app)(await newOperator(registry.app, ['moscow']));
      expect((await operator('POST', '/v1/segments/moscow/rekey')).status).toBe(200);
      const records = await registry.store.db
        .selectFrom('audit_events')
        .select(['actor_role', 'result'])
        .where('action', '=', 'segment.rekey')
        .orderBy('seq')
        .execute();
      expect(records).toEqual([
        { actor_role: 'operator', result: 'started' },
        { actor_role: 'operator', result: 'seed_destroyed' },
        { actor_role: 'operator', result: 'rekeyed' },
      ]);
    } finally {
      await registry.close();
      await store.dispose();
    }
  });
});
