import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import { loadConfig } from '../../src/config/config.js';
import { buildRegistry } from '../../src/composition.js';
import { facePath, readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { ADMIN_KEY, b64, client, newEnrolment, newRelyingParty } from '../registry.js';
import { newTestStore, testDialects } from '../stores.js';
import { runCrashScript } from '../crash/run-child.js';

const dialects = await testDialects();
const CHILD = fileURLToPath(new URL('../crash/enrol-then-die.ts', import.meta.url));

function runChild(arg: object) {
  return runCrashScript(CHILD, arg);
}

describe.each(dialects)('crash safety on %s', (dialect) => {
  let engine: FaceEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it.each(['person_written', 'template_written', 'committed'] as const)(
    'a process killed at "%s" of an enrolment leaves store and matcher in agreement after restart',
    async (step) => {
      const store = await newTestStore(dialect);
      const env = {
        ...store.env,
        OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        OBLIK_SEGMENTS: 'moscow:Moscow',
        OBLIK_LOG_LEVEL: 'silent',
      };
      try {
        const setup = await buildRegistry(loadConfig(env), { engine });
        const apiKey = await newRelyingParty(setup.app);
        await setup.close();

        const first = facePath('small', 'amy', 'amy1.png');
        const second = facePath('small', 'penny', 'penny1.png');
        const child = await runChild({ env, apiKey, step, first, second });
        expect(child.signal).toBe('SIGKILL');
        expect(child.out.trim().split('\n')).toHaveLength(1); // the first enrolment answered; the second never did

        const restarted = await buildRegistry(loadConfig(env), { engine });
        try {
          const { db } = restarted.store;
          const persons = await db.selectFrom('persons').select('id').execute();
          const templates = await db.selectFrom('templates').select(['id', 'person_id']).execute();
          const enrolAudits = await db
            .selectFrom('audit_events')
            .select('person_id')
            .where('action', '=', 'enrolment')
            .execute();
          const consents = await db.selectFrom('consent_grants').select('person_id').execute();
          // Committed means whole: the second enrolment is either entirely there (killed after commit) or absent.
          const expected = step === 'committed' ? 2 : 1;
          expect(persons).toHaveLength(expected);
          expect(templates).toHaveLength(expected);
          expect(enrolAudits).toHaveLength(expected);
          expect(consents).toHaveLength(expected);
          expect(new Set(templates.map((t) => t.person_id))).toEqual(new Set(persons.map((p) => p.id)));
          // The matcher, rebuilt from the store, holds exactly the stored templates.
          expect(restarted.matcher.templateIds()).toEqual(new Set(templates.map((t) => t.id)));

          // And the registry works on: the face that was mid-enrolment can be enrolled (or is already there).
          const api = client(restarted.app)(apiKey);
          const again = await api('POST', '/v1/persons', await newEnrolment(['penny', 'penny2.png']));
          expect(again.status).toBe(step === 'committed' ? 409 : 201);
          const found = await api('POST', '/v1/identifications', {
            purpose: 'transit_fare',
            image: b64(await readFace('small', 'amy', 'amy2.png')),
          });
          expect(found.body.candidates).toHaveLength(1);
        } finally {
          await restarted.close();
        }
      } finally {
        await store.dispose();
      }
    },
  );
});
