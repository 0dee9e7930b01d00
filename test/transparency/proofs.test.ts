import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import { client, newEnrolment, newRelyingParty, startTestRegistry, type Reply } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';
import { consistencyValid, headSignatureValid, inclusionValid, leafHashOf, merkleRoot } from './verifier.js';

const dialects = await testDialects();

describe.each(dialects)('transparency log over HTTP on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let second: Registry;
  let store: TestStore;
  /** No API key: the log is public. */
  let anyone: (method: 'GET', url: string) => Promise<Reply>;
  let publicKey: string;

  const head = async () => {
    const res = await anyone('GET', '/v1/transparency/tree-head');
    expect(res.status).toBe(200);
    expect(headSignatureValid(res.body, publicKey)).toBe(true);
    return res.body as { treeSize: number; rootHash: string; timestamp: number; signature: string; keyId: string };
  };
  const leafHashes = async (end: number) => {
    const res = await anyone('GET', `/v1/transparency/leaves?start=0&end=${end}`);
    expect(res.status).toBe(200);
    return (res.body.leaves as { leafIndex: number; leafHash: string; leaf: string }[]).map((l, i) => {
      expect(l.leafIndex).toBe(i);
      expect(leafHashOf(l.leaf)).toBe(l.leafHash);
      return l.leafHash;
    });
  };

  beforeAll(async () => {
    engine = await startTestEngine();
    let restart: (env?: Record<string, string>) => Promise<Registry>;
    ({ registry, store, restart } = await startTestRegistry(dialect, engine));
    second = await restart();
    anyone = (method, url) => client(registry.app)()(method, url);
    const keys = await anyone('GET', '/v1/transparency/keys');
    expect(keys.status).toBe(200);
    expect(keys.body.keys).toHaveLength(1);
    expect(keys.body.keys[0]).toMatchObject({ algorithm: 'Ed25519', keyId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(keys.body.keys[0].publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    publicKey = keys.body.keys[0].publicKey;
  });
  afterAll(async () => {
    await registry?.close();
    await second?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('publishes leaves without personal data, each included in the signed head by its audit path', async () => {
    const metro = await newRelyingParty(registry.app);
    const enrolled = await client(registry.app)(metro)('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']));
    expect(enrolled.status).toBe(201);
    await newRelyingParty(registry.app, { name: 'Venue' });

    const signed = await head();
    const hashes = await leafHashes(signed.treeSize);
    expect(hashes).toHaveLength(signed.treeSize);
    expect(merkleRoot(hashes)).toBe(signed.rootHash);

    const leaves = (await anyone('GET', `/v1/transparency/leaves?start=0&end=${signed.treeSize}`)).body.leaves;
    const texts = leaves.map((l: { leaf: string }) => l.leaf).join('\n');
    const personId = enrolled.body.personId as string;
    expect(texts).not.toContain(personId);
    // Each leaf is a commitment and nothing else (format v2): no action, actor, person or request.
    for (const l of leaves) {
      expect(l.v).toBe(2);
      expect(Object.keys(JSON.parse(l.leaf))).toEqual(['commitment', 'v']);
    }
    expect(texts).not.toMatch(/personRef|actorId|requestId|enrolment/);

    for (let i = 0; i < signed.treeSize; i++) {
      const res = await anyone('GET', `/v1/transparency/proofs/inclusion?leafIndex=${i}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ leafIndex: i, treeSize: signed.treeSize, leafHash: hashes[i] });
      expect(inclusionValid(hashes[i]!, i, signed.treeSize, res.body.auditPath, signed.rootHash)).toBe(true);
      // The verifier is not a rubber stamp: a changed path element or another leaf fails.
      const path = res.body.auditPath as string[];
      if (path.length > 0) {
        const altered = [`${path[0]!.slice(0, -1)}${path[0]!.endsWith('0') ? '1' : '0'}`, ...path.slice(1)];
        expect(inclusionValid(hashes[i]!, i, signed.treeSize, altered, signed.rootHash)).toBe(false);
        expect(inclusionValid(hashes[(i + 1) % signed.treeSize]!, i, signed.treeSize, path, signed.rootHash)).toBe(
          false,
        );
      }
    }
  });

  it('proves every older size consistent with the new head, and keeps each signed head', async () => {
    const old = await head();
    // More records, written through a second instance on the same store: either may integrate them.
    await newRelyingParty(second.app, { name: 'School' });
    await newRelyingParty(registry.app, { name: 'Parking' });
    await second.services.transparency.integrate();
    const now = await head();
    expect(now.treeSize).toBeGreaterThan(old.treeSize);
    expect(now.timestamp).toBeGreaterThanOrEqual(old.timestamp);

    const kept = await anyone('GET', `/v1/transparency/tree-heads/${old.treeSize}`);
    expect(kept.body).toEqual(old);

    const hashes = await leafHashes(now.treeSize);
    expect(merkleRoot(hashes)).toBe(now.rootHash);
    expect(merkleRoot(hashes.slice(0, old.treeSize))).toBe(old.rootHash);
    for (let from = 1; from < now.treeSize; from++) {
      const res = await anyone('GET', `/v1/transparency/proofs/consistency?from=${from}&to=${now.treeSize}`);
      expect(res.status).toBe(200);
      expect(res.body.from).toBe(from);
      const fromRoot = merkleRoot(hashes.slice(0, from));
      expect(consistencyValid(from, now.treeSize, fromRoot, now.rootHash, res.body.proof), `from ${from}`).toBe(true);
      const wrongRoot = merkleRoot(hashes.slice(0, from - 1).concat(hashes[from]!));
      expect(consistencyValid(from, now.treeSize, wrongRoot, now.rootHash, res.body.proof)).toBe(false);
    }
    const same = await anyone('GET', `/v1/transparency/proofs/consistency?from=${now.treeSize}`);
    expect(same.body).toEqual({ from: now.treeSize, to: now.treeSize, proof: [] });

    // Inclusion at the old size, against the old signed head, from the instance that did not sign it.
    const onSecond = client(second.app)();
    for (let i = 0; i < old.treeSize; i++) {
      const res = await onSecond('GET', `/v1/transparency/proofs/inclusion?leafIndex=${i}&treeSize=${old.treeSize}`);
      expect(inclusionValid(res.body.leafHash, i, old.treeSize, res.body.auditPath, old.rootHash)).toBe(true);
    }
  });

  it('signs a new head only when there is something to integrate', async () => {
    const count = async () =>
      Number(
        (
          await registry.store.db
            .selectFrom('tree_heads')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    await head();
    const before = await count();
    expect(await registry.services.transparency.integrate()).toBe(0);
    await head();
    expect(await count()).toBe(before);
    await newRelyingParty(registry.app, { name: 'Wi-Fi' });
    expect(await registry.services.transparency.integrate()).toBe(1);
    expect(await count()).toBe(before + 1);
  });

  it('refuses sizes and indices outside the log with stable codes, documented in OpenAPI', async () => {
    const { treeSize } = await head();
    const expectCode = async (url: string, status: number, code: string) => {
      const res = await anyone('GET', url);
      expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status, code });
    };
    await expectCode(`/v1/transparency/proofs/inclusion?leafIndex=${treeSize}`, 400, 'transparency.out_of_range');
    await expectCode(
      `/v1/transparency/proofs/inclusion?leafIndex=0&treeSize=${treeSize + 1}`,
      400,
      'transparency.out_of_range',
    );
    await expectCode('/v1/transparency/proofs/inclusion?leafIndex=3&treeSize=3', 400, 'transparency.out_of_range');
    await expectCode(`/v1/transparency/proofs/consistency?from=${treeSize + 1}`, 400, 'transparency.out_of_range');
    await expectCode('/v1/transparency/proofs/consistency?from=3&to=2', 400, 'transparency.out_of_range');
    await expectCode('/v1/transparency/proofs/consistency?from=0&to=2', 400, 'request.invalid');
    await expectCode('/v1/transparency/proofs/inclusion?leafIndex=-1', 400, 'request.invalid');
    await expectCode(`/v1/transparency/leaves?start=${treeSize}&end=${treeSize + 1}`, 400, 'transparency.out_of_range');
    await expectCode('/v1/transparency/leaves?start=0&end=1001', 400, 'transparency.out_of_range');
    await expectCode(`/v1/transparency/tree-heads/${treeSize + 5}`, 404, 'transparency.head_not_found');
    // end is clipped to the signed size
    const clipped = await anyone('GET', `/v1/transparency/leaves?start=${treeSize - 1}&end=${treeSize + 50}`);
    expect(clipped.body.leaves).toHaveLength(1);

    const doc = (await anyone('GET', '/openapi.json')).body;
    for (const path of [
      '/v1/transparency/tree-head',
      '/v1/transparency/tree-heads/{treeSize}',
      '/v1/transparency/proofs/inclusion',
      '/v1/transparency/proofs/consistency',
      '/v1/transparency/keys',
      '/v1/transparency/leaves',
    ]) {
      expect(doc.paths[path]?.get, path).toBeDefined();
      expect(doc.paths[path].get.security, path).toBeUndefined();
    }
    expect(Object.keys(doc.paths['/v1/transparency/proofs/inclusion'].get.responses)).toEqual(
      expect.arrayContaining(['200', '400', '404']),
    );
    expect(JSON.stringify(doc.components.schemas.Error)).toContain('transparency.out_of_range');
  });
});
