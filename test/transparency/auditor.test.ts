import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import {
  ADMIN_KEY,
  client,
  livePhoto,
  newOperator,
  registerRelyingParty,
  signIn,
  startTestRegistry,
} from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';
import { leafFromEntry, leafHashOf } from './verifier.js';

const dialects = await testDialects();

interface Entry {
  leafIndex: number;
  leafVersion: number;
  entry: string;
  salt: string | null;
}

/**
 * Issue 9, point 1: an auditor with an audit credential reads the log's full entries and their salts, and
 * recomputes every public leaf from them; nobody else may, and each read is itself in the audit trail.
 */
describe.each(dialects)('an auditor reads full entries, on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let metro: { key: string; id: string };
  let anna: { citizenId: string; image: string };
  let auditor: { id: string; name: string; apiKey: string };
  const as = (key?: string) => client(registry.app)(key);

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine));
    metro = await registerRelyingParty(registry.app, { name: 'Metro', purposes: ['transit_fare'] });
    const enrolled = await as(metro.key)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'kiosk',
      image: await livePhoto('anna', 0),
      consents: ['transit_fare'],
    });
    expect(enrolled.status).toBe(201);
    anna = { citizenId: enrolled.body.receipt.citizenId, image: await livePhoto('anna', 1) };
    const created = await as(ADMIN_KEY)('POST', '/v1/auditors', { name: 'Court of Accounts' });
    expect(created.status).toBe(201);
    auditor = created.body;
    await registry.services.transparency.integrate();
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('issues an auditor key once, stored hashed, as an auditor principal (administrator only)', async () => {
    expect(auditor).toEqual({
      id: expect.stringMatching(/^aud_/),
      name: 'Court of Accounts',
      apiKey: expect.any(String),
    });
    const stored = await registry.store.db
      .selectFrom('principals')
      .selectAll()
      .where('id', '=', auditor.id)
      .executeTakeFirstOrThrow();
    expect(stored.role).toBe('auditor');
    expect(JSON.stringify(stored)).not.toContain(auditor.apiKey);
    const me = await as(auditor.apiKey)('GET', '/v1/me');
    expect(me.body.role).toBe('auditor');
    const byParty = await as(metro.key)('POST', '/v1/auditors', { name: 'Not allowed' });
    expect(byParty.status).toBe(403);
    expect(byParty.body.code).toBe('auth.forbidden');
  });

  it('reads every integrated entry with its salt and recomputes each public leaf', async () => {
    const head = (await as()('GET', '/v1/transparency/tree-head')).body;
    const published = (await as()('GET', `/v1/transparency/leaves?start=0&end=${head.treeSize}`)).body.leaves as {
      leafIndex: number;
      leafHash: string;
      leaf: string;
    }[];
    const res = await as(auditor.apiKey)('GET', `/v1/transparency/entries?from=0&limit=${head.treeSize}`);
    expect(res.status).toBe(200);
    const entries = res.body.entries as Entry[];
    expect(entries.map((e) => e.leafIndex)).toEqual(published.map((l) => l.leafIndex));
    for (const [i, e] of entries.entries()) {
      expect(e.leafVersion).toBe(2);
      const leaf = leafFromEntry(e.entry, e.salt!);
      expect(leaf).toBe(published[i]!.leaf);
      expect(leafHashOf(leaf)).toBe(published[i]!.leafHash);
    }
    // Full entries: who acted on whom, which the public leaves never say.
    const enrolment = entries.map((e) => JSON.parse(e.entry)).find((e) => e.action === 'enrolment');
    expect(enrolment).toMatchObject({ actorId: metro.id, result: 'enrolled' });
    expect(enrolment.personId).toEqual(expect.any(String));
    // A page past the log is empty, not an error (reading integrates this read's own record first); a page is
    // bounded.
    const past = await as(auditor.apiKey)('GET', `/v1/transparency/entries?from=${head.treeSize + 100}`);
    expect(past.body.entries).toEqual([]);
    const tooMany = await as(auditor.apiKey)('GET', '/v1/transparency/entries?limit=1001');
    expect(tooMany.status).toBe(400);
  });

  it('records each read in the audit trail, on its own', async () => {
    const res = await as(auditor.apiKey)('GET', '/v1/transparency/entries?from=1&limit=2');
    expect(res.status).toBe(200);
    const trail = await as(ADMIN_KEY)('GET', `/v1/audit-events?actorId=${auditor.id}&action=transparency.entries_read`);
    const read = (
      trail.body.events as { requestId: string; detail: unknown; result: string; actorRole: string }[]
    ).find((e) => e.requestId === res.headers['x-request-id']);
    expect(read).toMatchObject({ result: 'read', actorRole: 'auditor', detail: { from: 1, limit: 2, count: 2 } });
  });

  it('refuses relying parties, operators, citizens and anonymous callers, and audits the refusal', async () => {
    const operator = await newOperator(registry.app, ['moscow']);
    for (const key of [metro.key, operator]) {
      const res = await as(key)('GET', '/v1/transparency/entries');
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth.forbidden');
      expect(JSON.stringify(res.body)).not.toContain('"entry"');
    }
    const trail = await as(ADMIN_KEY)('GET', `/v1/audit-events?actorId=${metro.id}&action=transparency.entries_read`);
    expect(trail.body.events).toEqual([
      expect.objectContaining({ result: 'refused:auth.forbidden', detail: { reason: 'role' } }),
    ]);
    expect((await as()('GET', '/v1/transparency/entries')).status).toBe(401);
    const citizen = await signIn(registry, anna.citizenId, anna.image);
    expect((await citizen('GET', '/v1/transparency/entries')).status).toBe(401);
  });

  it('a revoked auditor key gets 401', async () => {
    const other = (await as(ADMIN_KEY)('POST', '/v1/auditors', { name: 'Short-lived' })).body;
    expect((await as(other.apiKey)('GET', '/v1/transparency/entries')).status).toBe(200);
    expect((await as(metro.key)('DELETE', `/v1/auditors/${other.id}`)).status).toBe(403);
    expect((await as(ADMIN_KEY)('DELETE', `/v1/auditors/${other.id}`)).status).toBe(204);
    const res = await as(other.apiKey)('GET', '/v1/transparency/entries');
    expect(res.status).toBe(401);
    const trail = await as(ADMIN_KEY)('GET', '/v1/audit-events?action=principal.revoke');
    expect(trail.body.events).toContainEqual(expect.objectContaining({ detail: { principal: other.id } }));
  });
});
