import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { ADMIN_KEY, b64, client, newEnrolment, newRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

/** Ten faces, one a round, each enrolled by both instances at once. */
const RACE_FACES = [
  ['amy', 'amy1.png'],
  ['bernadette', 'bernadette1.png'],
  ['howard', 'howard1.png'],
  ['leonard', 'leonard1.png'],
  ['penny', 'penny1.png'],
  ['raj', 'raj1.png'],
  ['sheldon', 'sheldon1.png'],
  ['stuart', 'stuart1.png'],
  ['deepface1', 'img16.jpg'],
  ['deepface3', 'img22.jpg'],
] as const;

describe.each(dialects)('two server instances on one %s store', (dialect) => {
  let engine: FaceEngine;
  let a: Registry;
  let b: Registry;
  let store: TestStore;

  beforeAll(async () => {
    engine = await startTestEngine();
    let restart: (env?: Record<string, string>) => Promise<Registry>;
    ({ registry: a, store, restart } = await startTestRegistry(dialect, engine));
    b = await restart();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.dispose();
    await engine?.close();
  });

  it("see each other's enrolments and deletions through the change feed, without a restart", async () => {
    const key = await newRelyingParty(a.app);
    const onA = client(a.app)(key);
    const onB = client(b.app)(key);
    const enrolled = await onA('POST', '/v1/persons', await newEnrolment(['stuart', 'stuart1.png']));
    expect(enrolled.status).toBe(201);
    expect(b.matcher.size()).toBe(0); // not yet: B learns at its next search (or its next poll)

    const verified = await onB('POST', '/v1/verifications', {
      personId: enrolled.body.personId,
      purpose: 'transit_fare',
      image: b64(await readFace('small', 'stuart', 'stuart2.png')),
    });
    expect(verified.body.match).toBe(true);
    expect(b.matcher.templateIds()).toEqual(a.matcher.templateIds());

    // B refuses the same face enrolled again, though A took it.
    const again = await onB('POST', '/v1/persons', await newEnrolment(['stuart', 'stuart3.png'], { consents: [] }));
    expect(again.body.code).toBe('enrolment.duplicate');

    // Deleted through B, gone from A's matcher at A's next search.
    const citizenId = enrolled.body.receipt.citizenId as string;
    expect((await client(b.app)(ADMIN_KEY)('DELETE', `/v1/persons/${citizenId}`)).status).toBe(200);
    const found = await onA('POST', '/v1/identifications', {
      purpose: 'transit_fare',
      image: b64(await readFace('small', 'stuart', 'stuart4.png')),
    });
    expect(found.body.candidates).toEqual([]);
    expect(a.matcher.size()).toBe(0);
    expect(b.matcher.size()).toBe(0);
  });

  it("follow each other's re-keys and citizens' consent changes without a restart", async () => {
    const key = await newRelyingParty(a.app);
    const onA = client(a.app)(key);
    const onB = client(b.app)(key);
    expect((await onA('POST', '/v1/persons', await newEnrolment(['raj', 'raj1.png']))).status).toBe(201);
    const probe = { purpose: 'transit_fare', image: b64(await readFace('small', 'raj', 'raj2.png')) };
    const before = await onB('POST', '/v1/identifications', probe);
    expect(before.body.candidates).toHaveLength(1);

    // A re-keys the segment; B, which still holds the old gallery, follows the change feed at its next search.
    expect((await client(a.app)(ADMIN_KEY)('POST', '/v1/segments/moscow/rekey')).status).toBe(200);
    const after = await onB('POST', '/v1/identifications', probe);
    expect(after.body).toEqual(before.body);
    expect(b.matcher.segments()).toEqual(['moscow@2']);
    expect(b.matcher.templateIds()).toEqual(a.matcher.templateIds());
  });

  // Point 9: the duplicate search and the insert must be one step across instances, not only within one.
  it.runIf(dialect === 'postgres')(
    'enrol one face at the same moment on both instances: one enrolment, the other a duplicate (10 rounds)',
    async () => {
      const key = await newRelyingParty(a.app, { segments: ['kazan'] });
      const faces = [...RACE_FACES];
      const outcomes: string[] = [];
      for (const face of faces) {
        const request = await newEnrolment(face, { segment: 'kazan' });
        const both = await Promise.all([
          client(a.app)(key)('POST', '/v1/persons', request),
          client(b.app)(key)('POST', '/v1/persons', request),
        ]);
        outcomes.push(
          both
            .map((r) => (r.status === 201 ? 'enrolled' : (r.body.code as string)))
            .sort()
            .join('+'),
        );
      }
      expect(outcomes).toEqual(faces.map(() => 'enrolled+enrolment.duplicate'));
    },
  );
});
