import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { groupPhoto } from '../images.js';
import { ADMIN_KEY, client, registerRelyingParty, rowCount, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();
const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();
const consent = {
  purposes: ['second_factor'],
  evidence: { kind: 'signed_form', reference: 'F-1', at: '2026-01-05T10:00:00Z' },
};

/** One bank record as a line: an image of the small set, unless overridden. */
async function record(ref: string, face: [string, string] | null, more: Record<string, unknown> = {}) {
  return {
    externalRef: ref,
    segment: 'moscow',
    capturedAt: '2026-01-05T10:00:00Z',
    consent,
    ...(face ? { image: (await readFace('small', ...face)).toString('base64') } : {}),
    ...more,
  };
}
const ndjson = (lines: unknown[]) =>
  Buffer.from(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');

/**
 * Bank transfers end to end (issue 14) on real faces: signed batches spooled and processed in the background,
 * every record enrolled through the registry with the bank's principal (consent evidence and provenance kept),
 * duplicates within the batch and against the segment, bad records refused one by one, a bad signature or a
 * replayed batch refused whole, a stop mid-batch resumed at restart with nothing lost or doubled.
 */
describe.each(dialects)('bank transfers on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let restart: (env?: Record<string, string>) => Promise<Registry>;
  const bankKeys = generateKeyPairSync('ed25519');
  const otherKeys = generateKeyPairSync('ed25519');
  let bank: { key: string; id: string };
  const env = { OBLIK_TRANSFER_MAX_RECORD_BYTES: String(2 * 1024 * 1024), OBLIK_TRANSFER_CONCURRENCY: '2' };

  const submit = (body: Buffer, key = bankKeys.privateKey, apiKey = bank.key) =>
    registry.app.inject({
      method: 'POST',
      url: '/v1/transfers',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/x-ndjson',
        'oblik-signature': sign(null, body, key).toString('base64'),
      },
      payload: body,
    });
  const progress = async (id: string) => (await client(registry.app)(bank.key)('GET', `/v1/transfers/${id}`)).body;
  async function finished(id: string) {
    for (;;) {
      const p = await progress(id);
      if (p.status === 'done') return p;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const report = async (id: string) => {
    const res = await registry.app.inject({
      method: 'GET',
      url: `/v1/transfers/${id}/report`,
      headers: { authorization: `Bearer ${bank.key}` },
    });
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    return res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store, restart } = await startTestRegistry(dialect, engine, env));
    bank = await registerRelyingParty(registry.app, {
      name: 'Halyk',
      purposes: ['second_factor'],
      segments: ['moscow'],
      rights: ['enrol', 'transfer'],
    });
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('registers the signing key (administrator only, Ed25519 PEM only, audited)', async () => {
    const put = (key: string, publicKey: string) =>
      client(registry.app)(key)('PUT', `/v1/relying-parties/${bank.id}/signing-key`, { publicKey });
    expect((await put(bank.key, pem(bankKeys.publicKey))).body.code).toBe('auth.forbidden');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const bad = await put(ADMIN_KEY, pem(rsa));
    expect([bad.status, bad.body.code]).toEqual([400, 'relying_party.signing_key_invalid']);
    // Before a key is registered, no batch is taken.
    const early = await submit(ndjson([await record('early', ['amy', 'amy1.png'])]));
    expect(early.json().code).toBe('transfer.signing_key_missing');
    const ok = await put(ADMIN_KEY, pem(bankKeys.publicKey));
    expect(ok.status).toBe(200);
    const audit = await registry.store.db
      .selectFrom('audit_events')
      .select('result')
      .where('action', '=', 'principal.signing_key')
      .execute();
    // The bank's own attempt is refused on record (the one authorisation step), then the administrator's is set.
    expect(audit.filter((a) => a.result.startsWith('refused:'))).toEqual([{ result: 'refused:auth.forbidden' }]);
    expect(audit.filter((a) => !a.result.startsWith('refused:'))).toHaveLength(1);
  });

  it('imports a batch: accepted, duplicates (in the batch), and every kind of bad record refused on its own', async () => {
    const capture = await engine.capture(await readFace('small', 'bernadette', 'bernadette1.png'));
    const group = await groupPhoto(
      await readFace('small', 'amy', 'amy2.png'),
      await readFace('small', 'penny', 'penny1.png'),
    );
    const lines = [
      await record('r1', ['amy', 'amy1.png']),
      await record('r2', ['penny', 'penny1.png'], { birthDate: '1990-02-03' }),
      await record('r3', ['amy', 'amy3.png']),
      '{"externalRef":"r4","segm',
      { ...(await record('r5', ['howard', 'howard1.png'])), consent: undefined },
      await record('r6', ['raj', 'raj1.png'], { segment: 'atlantis' }),
      { ...(await record('r7', null)), image: group.toString('base64') },
      await record('r8', null, { template: { modelPack: 'other@1', vector: Array.from(capture.template.vector) } }),
      await record('r9', null, {
        template: { modelPack: capture.template.modelPack, vector: Array.from(capture.template.vector) },
      }),
      `{"externalRef":"r10","pad":"${'x'.repeat(3 * 1024 * 1024)}"}`,
      await record('r1', ['sheldon', 'sheldon1.png']),
    ];
    const body = Buffer.concat([ndjson(lines), Buffer.from('{"externalRef":"r12","segment":"mos')]);
    const res = await submit(body);
    expect(res.statusCode).toBe(202);
    const { transferId } = res.json();
    expect(transferId).toMatch(/^trf_/);
    const done = await finished(transferId);
    expect(done).toMatchObject({ status: 'done', total: 12, processed: 12, accepted: 3, duplicates: 1, rejected: 8 });
    expect(done.etaSeconds).toBe(0);
    const lines2 = await report(transferId);
    const byRef = (ref: string, line?: number) =>
      lines2.find((l) => l.externalRef === ref && (line === undefined || l.line === line));
    expect(byRef('r1', 1)).toMatchObject({ status: 'accepted', personId: expect.stringMatching(/^psn_/) });
    expect(byRef('r2')).toMatchObject({ status: 'accepted' });
    expect(byRef('r3')).toMatchObject({ status: 'duplicate', adjudicationId: expect.stringMatching(/^adj_/) });
    expect(lines2.find((l) => l.line === 4)).toMatchObject({ status: 'rejected', code: 'transfer.record_invalid' });
    expect(byRef('r5')).toMatchObject({ status: 'rejected', code: 'consent.missing' });
    expect(byRef('r6')).toMatchObject({ status: 'rejected', code: 'segment.not_found' });
    expect(byRef('r7')).toMatchObject({ status: 'rejected', code: 'face.multiple' });
    expect(byRef('r8')).toMatchObject({ status: 'rejected', code: 'template.model_mismatch' });
    expect(byRef('r9')).toMatchObject({ status: 'accepted' });
    expect(lines2.find((l) => l.line === 10)).toMatchObject({ status: 'rejected', code: 'transfer.record_too_large' });
    expect(byRef('r1', 11)).toMatchObject({ status: 'rejected', code: 'transfer.already_imported' });
    expect(lines2.find((l) => l.line === 12)).toMatchObject({ status: 'rejected', code: 'transfer.record_invalid' });
    expect(await rowCount(registry, 'persons')).toBe(3);
    // The spool (the bank's images) is gone once every record is decided.
    expect(await readdir(spoolDirOf(store))).toEqual([]);

    // The citizen's record shows where the biometrics came from, when, and the consent evidence; the grant is
    // the bank's, as for any enrolment, so the citizen can revoke it or erase as usual.
    const personId = (
      await registry.store.db
        .selectFrom('pseudonyms')
        .select('person_id')
        .where('pseudonym', '=', byRef('r2')!.personId as string)
        .executeTakeFirstOrThrow()
    ).person_id;
    const seen = await client(registry.app)(ADMIN_KEY)('GET', `/v1/persons/${personId}`);
    expect(seen.body.provenance).toMatchObject({
      source: bank.id,
      reference: 'r2',
      capturedAt: '2026-01-05T10:00:00Z',
      evidence: consent.evidence,
    });
    expect(seen.body.consents).toEqual([
      expect.objectContaining({ relyingPartyId: bank.id, purpose: 'second_factor', active: true }),
    ]);
    expect(seen.body.birthDate).toBe('1990-02-03');
    const enrolAudit = await registry.store.db
      .selectFrom('audit_events')
      .select(['actor_id', 'result'])
      .where('action', '=', 'enrolment')
      .where('person_id', '=', personId)
      .execute();
    expect(enrolAudit).toEqual([{ actor_id: bank.id, result: 'enrolled' }]);

    // The same batch again imports nothing: refused whole.
    const again = await submit(body);
    expect([again.statusCode, again.json().code, again.json().data.transferId]).toEqual([
      409,
      'transfer.replayed',
      transferId,
    ]);
    // Another batch naming an imported record again: refused for that record, the new one imported.
    const next = await submit(
      ndjson([await record('r1', ['amy', 'amy4.png']), await record('r20', ['raj', 'raj1.png'])]),
    );
    const nextDone = await finished(next.json().transferId);
    expect(nextDone).toMatchObject({ accepted: 1, rejected: 1 });
    expect((await report(next.json().transferId))[0]).toMatchObject({ code: 'transfer.already_imported' });
    expect(await rowCount(registry, 'persons')).toBe(4);
  });

  it('refuses a batch signed by another key, or by none, whole: nothing written', async () => {
    const before = await registry.store.db.selectFrom('transfers').select('id').execute();
    const body = ndjson([await record('s1', ['leonard', 'leonard1.png'])]);
    const forged = await submit(body, otherKeys.privateKey);
    expect([forged.statusCode, forged.json().code]).toEqual([401, 'transfer.signature_invalid']);
    const unsigned = await registry.app.inject({
      method: 'POST',
      url: '/v1/transfers',
      headers: { authorization: `Bearer ${bank.key}`, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    expect(unsigned.json().code).toBe('transfer.signature_invalid');
    expect(await registry.store.db.selectFrom('transfers').select('id').execute()).toEqual(before);
    expect(await readdir(spoolDirOf(store))).toEqual([]);
    // A party without the right transfer may not send at all; another party cannot read the batch.
    const metro = await registerRelyingParty(registry.app, { rights: ['enrol'] });
    expect((await submit(body, bankKeys.privateKey, metro.key)).json().code).toBe('auth.forbidden');
    const id = before[0]!.id;
    expect((await client(registry.app)(metro.key)('GET', `/v1/transfers/${id}`)).body.code).toBe('transfer.not_found');
  });

  it('resumes a batch stopped mid-way at the next start, with nothing lost or doubled', async () => {
    const faces: [string, string][] = [
      ['deepface0', 'img20.jpg'],
      ['deepface5', 'img1.jpg'],
      ['deepface6', 'img13.jpg'],
      ['deepface7', 'img18.jpg'],
      ['deepface8', 'img8.jpg'],
      ['deepface1', 'img16.jpg'],
    ];
    const lines = await Promise.all(faces.map((f, i) => record(`q${i}`, f)));
    const persons = await rowCount(registry, 'persons');
    const res = await submit(ndjson(lines));
    const { transferId } = res.json();
    // Stop at once: what was in flight finishes, the rest is left to the next start.
    await registry.close();
    registry = await restart();
    const done = await finished(transferId);
    expect(done).toMatchObject({ status: 'done', total: 6, processed: 6 });
    const rep = await report(transferId);
    expect(rep.map((l) => l.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await rowCount(registry, 'persons')).toBe(persons + done.accepted);
  });
});

/** The spool folder of a test store's registry (under its data directory). */
function spoolDirOf(store: TestStore): string {
  return `${store.env.OBLIK_DATA_DIR}/transfers`;
}
