import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { verifyLog } from '../../src/modules/transparency/log-verifier.js';
import { randomId } from '../../src/ports/ids.js';
import { startTestEngine } from '../engine.js';
import { client, livePhoto, registerRelyingParty, signIn, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';
import { headSignatureValid, inclusionValid, leafFromEntry, leafHashOf } from './verifier.js';

const dialects = await testDialects();

/**
 * Issue 9, point 1: the public log proves that entries exist and never change, without naming or linking
 * anyone; the citizen opens their own entries with their salts and checks them against the published log.
 */
describe.each(dialects)('the public log names and links no one, on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let metro: { key: string; id: string };
  let anna: { citizenId: string; pseudonym: string; requestIds: string[] };
  const anyone = (url: string) => client(registry.app)()('GET', url);

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine));
    metro = await registerRelyingParty(registry.app, { name: 'Metro', purposes: ['transit_fare'] });
    const as = client(registry.app)(metro.key);
    const enrolled = await as('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'kiosk',
      image: await livePhoto('anna', 0),
      consents: ['transit_fare'],
    });
    expect(enrolled.status).toBe(201);
    const verified = await as('POST', '/v1/verifications', {
      personId: enrolled.body.personId,
      purpose: 'transit_fare',
      image: await livePhoto('anna', 1),
    });
    expect(verified.body.match).toBe(true);
    const identified = await as('POST', '/v1/identifications', {
      purpose: 'transit_fare',
      image: await livePhoto('anna', 2),
    });
    expect(identified.status).toBe(200);
    anna = {
      citizenId: enrolled.body.receipt.citizenId,
      pseudonym: enrolled.body.personId,
      requestIds: [enrolled, verified, identified].map((r) => String(r.headers['x-request-id'])),
    };
    await registry.services.transparency.integrate();
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  const publicLeaves = async () => {
    const head = (await anyone('/v1/transparency/tree-head')).body;
    const res = await anyone(`/v1/transparency/leaves?start=0&end=${head.treeSize}`);
    expect(res.status).toBe(200);
    return res.body.leaves as { leafIndex: number; leafHash: string; v: number; leaf: string | null }[];
  };

  it('a relying party with its pseudonym and request ids finds neither its entries nor anyone else’s', async () => {
    const leaves = await publicLeaves();
    expect(leaves.length).toBeGreaterThanOrEqual(4);
    // Everything the public can read of the log, proofs included.
    const proofs = await Promise.all(
      leaves.map((l) => anyone(`/v1/transparency/proofs/inclusion?leafIndex=${l.leafIndex}`)),
    );
    const published = JSON.stringify({ leaves, proofs: proofs.map((p) => p.body) });
    for (const known of [anna.citizenId, anna.pseudonym, metro.id, ...anna.requestIds]) {
      expect(published).not.toContain(known);
    }
    // Every leaf is a bare commitment: nothing two entries of one person (or one party) would share.
    const commitments = new Set<string>();
    for (const l of leaves) {
      expect(l.v).toBe(2);
      expect(leafHashOf(l.leaf!)).toBe(l.leafHash);
      const leaf = JSON.parse(l.leaf!) as Record<string, unknown>;
      expect(Object.keys(leaf)).toEqual(['commitment', 'v']);
      expect(leaf.commitment).toMatch(/^[0-9a-f]{64}$/);
      commitments.add(leaf.commitment as string);
    }
    expect(commitments.size).toBe(leaves.length);
    // Its own knowledge does not open a leaf: without the salt, hashing a guessed entry matches nothing.
    const guesses = anna.requestIds.flatMap((r) => [r, anna.pseudonym, anna.citizenId].map((x) => leafHashOf(x)));
    expect(leaves.filter((l) => guesses.includes(l.leafHash))).toEqual([]);
  });

  it('the citizen recomputes each of her leaves from its entry and salt and checks it is in the signed log', async () => {
    const me = await signIn(registry, anna.citizenId, await livePhoto('anna', 3));
    await registry.services.transparency.integrate();
    const usage = await me('GET', '/v1/citizen/usage?limit=100');
    expect(usage.status).toBe(200);
    const { items, treeHead } = usage.body as {
      items: {
        action: string;
        leafVersion: number | null;
        leafIndex: number | null;
        leafHash: string | null;
        entry: string | null;
        salt: string | null;
        inclusionProof: { treeSize: number; auditPath: string[] } | null;
      }[];
      treeHead: { treeSize: number; rootHash: string; timestamp: number; signature: string; keyId: string };
    };
    const publicKey = (await anyone('/v1/transparency/keys')).body.keys[0].publicKey as string;
    expect(headSignatureValid(treeHead, publicKey)).toBe(true);
    expect(items.map((i) => i.action)).toEqual(expect.arrayContaining(['enrolment', 'verification', 'identification']));
    for (const item of items.filter((i) => i.inclusionProof)) {
      expect(item.leafVersion).toBe(2);
      const entry = JSON.parse(item.entry!) as Record<string, unknown>;
      // The entry is hers, in full: her id, the party, the request.
      expect(entry.personId).toBe(anna.citizenId);
      const leaf = leafFromEntry(item.entry!, item.salt!);
      expect(leafHashOf(leaf)).toBe(item.leafHash);
      expect(
        inclusionValid(
          item.leafHash!,
          item.leafIndex!,
          treeHead.treeSize,
          item.inclusionProof!.auditPath,
          treeHead.rootHash,
        ),
      ).toBe(true);
      // Another salt (or a changed entry) makes another leaf.
      expect(leafHashOf(leafFromEntry(item.entry!, 'ab'.repeat(32)))).not.toBe(item.leafHash);
      expect(leafHashOf(leafFromEntry(item.entry!.replace(anna.citizenId, 'psn_x'), item.salt!))).not.toBe(
        item.leafHash,
      );
    }
    const metroItems = items.filter((i) => i.action === 'verification' && i.inclusionProof);
    expect(metroItems.length).toBeGreaterThanOrEqual(1);
    expect(anna.requestIds).toContain(JSON.parse(metroItems[0]!.entry!).requestId);

    // The export carries the same openings.
    const exported = await me('GET', '/v1/citizen/export');
    expect(exported.status).toBe(200);
    const opened = (exported.body.usage as { leafHash: string; entry: string; salt: string; leafVersion: number }[])
      .filter((i) => i.leafVersion === 2)
      .every((i) => leafHashOf(leafFromEntry(i.entry, i.salt)) === i.leafHash);
    expect(opened).toBe(true);
  });

  it('older version 1 leaves stay verifiable but are no longer published', async () => {
    const db = registry.store.db;
    // A record written before row MACs existed (as an upgraded store holds them).
    const legacy = randomId('evt');
    await db
      .insertInto('audit_events')
      .values({
        id: legacy,
        at: new Date().toISOString(),
        actor_id: metro.id,
        actor_role: 'relying_party',
        action: 'verification',
        purpose: 'transit_fare',
        segment_id: 'moscow',
        person_id: anna.citizenId,
        template_id: null,
        result: 'match',
        score: 0.75,
        request_id: randomId('req'),
        detail: null,
      })
      .execute();
    const { seq } = await db
      .selectFrom('audit_events')
      .select('seq')
      .where('id', '=', legacy)
      .executeTakeFirstOrThrow();
    await sql`update log_state set mac_from_seq = ${seq}`.execute(db);
    await registry.services.transparency.integrate();
    const row = await db.selectFrom('audit_events').selectAll().where('id', '=', legacy).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ leaf_version: 1, refusal: null, person_ref: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const served = (await publicLeaves()).find((l) => l.leafIndex === row.leaf_index);
    expect(served).toEqual({ leafIndex: row.leaf_index, leafHash: row.leaf_hash, v: 1, leaf: null });
    expect(await verifyLog(registry.repositories.transparency, registry.services.systemKeys)).toMatchObject({
      ok: true,
    });
    // Its citizen still opens it: the version 1 leaf's own text.
    const me = await signIn(registry, anna.citizenId, await livePhoto('anna', 3));
    const items = (await me('GET', '/v1/citizen/usage?limit=100')).body.items as {
      id: string;
      leafVersion: number;
      entry: string;
      salt: string | null;
      leafHash: string;
    }[];
    const mine = items.find((i) => i.id === legacy)!;
    expect(mine).toMatchObject({ leafVersion: 1, salt: null });
    expect(leafHashOf(mine.entry)).toBe(mine.leafHash);
  });
});
