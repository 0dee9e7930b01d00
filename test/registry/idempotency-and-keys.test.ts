import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { newKey } from '../../src/modules/keys/sealing.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import {
  ADMIN_KEY,
  b64,
  client,
  newEnrolment,
  registerRelyingParty,
  rowCount,
  startTestRegistry,
} from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();

describe.each(dialects)('replays and keys on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let restart: (env?: Record<string, string>) => Promise<Registry>;
  let metro: ReturnType<ReturnType<typeof client>>;
  let metroKey: string;
  let metroId: string;
  const masterKey = newKey().toString('base64');

  const count = (table: Parameters<typeof rowCount>[1]) => rowCount(registry, table);

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store, restart } = await startTestRegistry(dialect, engine, { OBLIK_MASTER_KEY: masterKey }));
    ({ key: metroKey, id: metroId } = await registerRelyingParty(registry.app));
    metro = client(registry.app)(metroKey);
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('a replayed enrolment returns the first answer and enrols nobody twice, even when the replays race', async () => {
    const body = {
      segment: 'moscow',
      channel: 'bank_branch',
      consents: ['transit_fare'],
      image: b64(await readFace('small', 'leonard', 'leonard1.png')),
    };
    const key = { 'idempotency-key': 'enrol-leonard' };
    const replies = await Promise.all([1, 2, 3].map(() => metro('POST', '/v1/persons', body, key)));
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(replies.map((r) => r.body.personId)).size).toBe(1);
    const later = await metro('POST', '/v1/persons', body, key);
    expect(later.body).toEqual(replies[0]!.body);
    expect(await count('persons')).toBe(1);
    expect(await count('templates')).toBe(1);
    expect(registry.matcher.size()).toBe(1);

    // A refused duplicate replays as the same refusal, with no second adjudication.
    const dupBody = { ...body, image: b64(await readFace('small', 'leonard', 'leonard2.png')) };
    const dupKey = { 'idempotency-key': 'enrol-leonard-again' };
    const dup = await metro('POST', '/v1/persons', dupBody, dupKey);
    const dupAgain = await metro('POST', '/v1/persons', dupBody, dupKey);
    expect([dup.status, dupAgain.status]).toEqual([409, 409]);
    expect(dupAgain.body).toEqual(dup.body);
    expect(await count('adjudications')).toBe(1);
  });

  it('a replayed verification is answered from the record and audited once', async () => {
    // The party's pseudonym for the person it enrolled (as its enrolment answer gave it).
    const personId = (
      await registry.store.db
        .selectFrom('pseudonyms')
        .select('pseudonym')
        .where('relying_party_id', '=', metroId)
        .executeTakeFirstOrThrow()
    ).pseudonym;
    const before = await count('audit_events');
    const body = { personId, purpose: 'transit_fare', image: b64(await readFace('small', 'leonard', 'leonard3.png')) };
    const key = { 'idempotency-key': 'turnstile-42-0001' };
    const first = await metro('POST', '/v1/verifications', body, key);
    const second = await metro('POST', '/v1/verifications', body, key);
    expect(first.body.match).toBe(true);
    expect(second.body).toEqual(first.body);
    expect(await count('audit_events')).toBe(before + 1);
  });

  it('stores templates sealed: only ciphertext of the right size, and a row moved to another person fails to open', async () => {
    const { db } = registry.store;
    const row = await db.selectFrom('templates').selectAll().executeTakeFirstOrThrow();
    expect(row.sealed_vector.length).toBe(12 + 512 * 4 + 16);
    const v = registry.services.vault;
    const opened = await v.open(row);
    expect(opened).toHaveLength(512);
    const key = await registry.services.personKeys.of(row.person_id);
    await expect(v.open({ ...row, person_id: 'psn_someoneelse' }, key)).rejects.toThrow(/authentication/);
    // Another person's row has no key of its own to open this ciphertext with.
    expect(await v.open({ ...row, person_id: 'psn_someoneelse' })).toBeUndefined();
  });

  it('rotates a data key without downtime: person keys re-wrapped, matching unchanged, across a restart', async () => {
    const admin = client(registry.app)(ADMIN_KEY);
    const probe = { purpose: 'transit_fare', image: b64(await readFace('small', 'leonard', 'leonard4.png')) };
    const before = await metro('POST', '/v1/identifications', probe);
    const rotated = await admin('POST', '/v1/segments/moscow/keys/rotate');
    expect(rotated.status).toBe(202);
    expect(rotated.body.version).toBe(2);
    // Served while re-sealing runs:
    expect((await metro('POST', '/v1/identifications', probe)).body).toEqual(before.body);
    await registry.services.keys.resealed('moscow');
    const status = await admin('GET', '/v1/keys');
    const moscow = status.body.keys.filter((k: { segment: string }) => k.segment === 'moscow');
    expect(
      moscow.map((k: { version: number; state: string; templates: number }) => [k.version, k.state, k.templates]),
    ).toEqual([
      [1, 'retired', 0],
      [2, 'active', 1],
    ]);
    // A new enrolment is sealed under the new version.
    const howard = await metro('POST', '/v1/persons', await newEnrolment(['howard', 'howard1.png']));
    expect(howard.status).toBe(201);
    const versions = await registry.store.db.selectFrom('person_keys').select('key_version').execute();
    expect(versions.map((v) => v.key_version)).toEqual([2, 2]);

    await registry.close();
    registry = await restart();
    metro = client(registry.app)(metroKey);
    expect(registry.matcher.size()).toBe(2);
    expect((await metro('POST', '/v1/identifications', probe)).body).toEqual(before.body);
  });

  it('rotates the master key: data keys re-wrapped at start, and a store without its key refuses to start', async () => {
    const fresh = newKey().toString('base64');
    await registry.close();
    const rotated = await startWith({ OBLIK_MASTER_KEY: fresh, OBLIK_RETIRED_MASTER_KEYS: masterKey });
    expect(rotated.startup.dataKeysRewrapped).toBeGreaterThanOrEqual(4);
    expect(rotated.matcher.size()).toBe(2);
    await rotated.close();
    // The old key alone no longer opens anything; the new one alone does.
    await expect(startWith({ OBLIK_MASTER_KEY: masterKey })).rejects.toThrow(/not configured/);
    registry = await startWith({ OBLIK_MASTER_KEY: fresh });
    expect(registry.matcher.size()).toBe(2);
  });

  const startWith = (env: Record<string, string>) => restart(env);
});
