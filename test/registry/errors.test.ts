import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { readFace, readScreenReplay } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { blurred, flatGrey, groupPhoto, pngHeader } from '../images.js';
import { ADMIN_KEY, b64, client, newRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();
const MAX_IMAGE_BYTES = 400_000;

/** A multipart body by hand, so the test controls every part. */
function multipart(fields: Record<string, string>, file?: { name: string; bytes: Buffer }) {
  const boundary = 'oblik-test-boundary';
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  const chunks: Buffer[] = [Buffer.from(parts.join(''))];
  if (file) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="${file.name}"; filename="face.jpg"\r\n` +
          'content-type: application/octet-stream\r\n\r\n',
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe.each(dialects)('every error code over HTTP on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let metro: ReturnType<ReturnType<typeof client>>;
  let strict: ReturnType<ReturnType<typeof client>>;
  let admin: ReturnType<ReturnType<typeof client>>;
  let amy: string;
  let personId: string;

  const enrolBody = (image: string, extra: object = {}) => ({
    segment: 'moscow',
    channel: 'kiosk',
    image,
    consents: ['transit_fare'],
    ...extra,
  });
  const expectError = (r: { status: number; body: any }, status: number, code: string) =>
    expect([r.status, r.body.code, typeof r.body.message]).toEqual([status, code, 'string']);

  beforeAll(async () => {
    engine = await startTestEngine({ OBLIK_MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES) });
    ({ registry, store } = await startTestRegistry(dialect, engine, {
      OBLIK_MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES),
    }));
    metro = client(registry.app)(await newRelyingParty(registry.app));
    strict = client(registry.app)(
      await newRelyingParty(registry.app, { name: 'Gate', requireLiveness: true } as object),
    );
    admin = client(registry.app)(ADMIN_KEY);
    amy = b64(await readFace('small', 'amy', 'amy1.png'));
    const r = await metro('POST', '/v1/persons', enrolBody(amy));
    expect(r.status).toBe(201);
    personId = r.body.personId;
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('image.unreadable: corrupt bytes, bad base64, an empty image', async () => {
    expectError(
      await metro(
        'POST',
        '/v1/persons',
        enrolBody(b64(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('truncated JPEG')]))),
      ),
      400,
      'image.unreadable',
    );
    expectError(await metro('POST', '/v1/persons', enrolBody('not base64 at all!')), 400, 'image.unreadable');
    expectError(await metro('POST', '/v1/persons', enrolBody('')), 400, 'image.unreadable');
  });

  it('image.too_large: over the byte limit as JSON or as a file, or a pixel bomb', async () => {
    const big = Buffer.alloc(MAX_IMAGE_BYTES + 10, 1);
    expectError(await metro('POST', '/v1/persons', enrolBody(b64(big))), 413, 'image.too_large');
    const huge = b64(Buffer.alloc(MAX_IMAGE_BYTES * 2, 1));
    expectError(
      await metro('POST', '/v1/verifications', { personId, purpose: 'transit_fare', image: huge }),
      413,
      'image.too_large',
    );
    const form = multipart({ segment: 'moscow', channel: 'kiosk' }, { name: 'image', bytes: big });
    const res = await registry.app.inject({
      method: 'POST',
      url: '/v1/persons',
      headers: {
        authorization: `Bearer ${await newRelyingParty(registry.app, { name: 'm2' })}`,
        'content-type': form.contentType,
      },
      payload: form.payload,
    });
    expectError({ status: res.statusCode, body: res.json() }, 413, 'image.too_large');
    expectError(await metro('POST', '/v1/persons', enrolBody(b64(pngHeader(30_000, 30_000)))), 413, 'image.too_large');
  });

  it('image.unsupported_format: a GIF', async () => {
    expectError(
      await metro('POST', '/v1/persons', enrolBody(b64(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;')))),
      415,
      'image.unsupported_format',
    );
  });

  it('face.not_found, face.multiple, face.low_quality and face.spoof_suspected', async () => {
    expectError(await metro('POST', '/v1/persons', enrolBody(b64(await flatGrey()))), 422, 'face.not_found');
    const group = await groupPhoto(
      await readFace('small', 'amy', 'amy2.png'),
      await readFace('small', 'penny', 'penny1.png'),
    );
    expectError(await metro('POST', '/v1/persons', enrolBody(b64(group))), 422, 'face.multiple');
    const blur = await metro(
      'POST',
      '/v1/persons',
      enrolBody(b64(await blurred(await readFace('small', 'deepface7', 'img18.jpg')))),
    );
    expectError(blur, 422, 'face.low_quality');
    expect(blur.body.data.reasons).toContain('blurred');
    // A party that requires liveness refuses a face shown on a screen; the default party records and proceeds.
    const poster = b64(await readScreenReplay());
    const spoof = await strict('POST', '/v1/identifications', { purpose: 'transit_fare', image: poster });
    expectError(spoof, 422, 'face.spoof_suspected');
    expect((await metro('POST', '/v1/identifications', { purpose: 'transit_fare', image: poster })).status).toBe(200);
  });

  it('request.invalid: malformed JSON, a missing field, a malformed purpose, a bad Idempotency-Key', async () => {
    const raw = await registry.app.inject({
      method: 'POST',
      url: '/v1/persons',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      payload: '{"segment": "moscow", ',
    });
    expectError({ status: raw.statusCode, body: raw.json() }, 400, 'request.invalid');
    const missing = await metro('POST', '/v1/verifications', { purpose: 'transit_fare', image: amy });
    expectError(missing, 400, 'request.invalid');
    expect(missing.body.data.fields.map((f: { field: string }) => f.field)).toContain('body.personId');
    expectError(
      await metro('POST', '/v1/verifications', { personId, purpose: 'Spying!', image: amy }),
      400,
      'request.invalid',
    );
    expectError(
      await metro(
        'POST',
        '/v1/verifications',
        { personId, purpose: 'transit_fare', image: amy },
        { 'idempotency-key': 'ключ' },
      ),
      400,
      'request.invalid',
    );
  });

  it('request.unsupported_media_type, request.not_found and request.too_large', async () => {
    const text = await registry.app.inject({
      method: 'POST',
      url: '/v1/persons',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expectError({ status: text.statusCode, body: text.json() }, 415, 'request.unsupported_media_type');
    expectError(await admin('GET', '/v1/nothing-here'), 404, 'request.not_found');
    const fields = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 'x']));
    const form = multipart(fields);
    const many = await registry.app.inject({
      method: 'POST',
      url: '/v1/identifications',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': form.contentType },
      payload: form.payload,
    });
    expectError({ status: many.statusCode, body: many.json() }, 413, 'request.too_large');
  });

  it('person.not_found, segment.not_found, segment.exists', async () => {
    const ghost = 'psn_aaaaaaaaaaaaaaaaaaaaaaaaaa';
    expectError(
      await metro('POST', '/v1/verifications', { personId: ghost, purpose: 'transit_fare', image: amy }),
      404,
      'person.not_found',
    );
    expectError(await admin('DELETE', `/v1/persons/${ghost}`), 404, 'person.not_found');
    expectError(await metro('POST', '/v1/persons', enrolBody(amy, { segment: 'atlantis' })), 404, 'segment.not_found');
    expectError(await admin('POST', '/v1/segments/atlantis/keys/rotate'), 404, 'segment.not_found');
    expectError(await admin('POST', '/v1/segments', { id: 'moscow', name: 'Moscow again' }), 409, 'segment.exists');
  });

  it('enrolment.duplicate, enrolment.face_mismatch, adjudication.not_found and adjudication.resolved', async () => {
    const dup = await metro('POST', '/v1/persons', enrolBody(b64(await readFace('small', 'amy', 'amy3.png'))));
    expectError(dup, 409, 'enrolment.duplicate');
    expect(Object.keys(dup.body.data)).toEqual(['adjudicationId']); // never who the face belongs to
    const other = b64(await readFace('small', 'sheldon', 'sheldon1.png'));
    expectError(
      await metro('POST', `/v1/persons/${personId}/templates`, { image: other }),
      409,
      'enrolment.face_mismatch',
    );
    expectError(
      await admin('POST', '/v1/adjudications/adj_aaaaaaaaaaaaaaaaaaaaaaaaaa/resolution', { decision: 'same_person' }),
      404,
      'adjudication.not_found',
    );
    const path = `/v1/adjudications/${dup.body.data.adjudicationId}/resolution`;
    expect((await admin('POST', path, { decision: 'same_person', note: 'second identity attempt' })).status).toBe(200);
    expectError(await admin('POST', path, { decision: 'different_people' }), 409, 'adjudication.resolved');
  });

  it('adjudication.not_cleared: a refused face enrols only after the operator rules "different people", once', async () => {
    const lookalike = b64(await readFace('small', 'amy', 'amy4.png'));
    const dup = await metro('POST', '/v1/persons', enrolBody(lookalike));
    expectError(dup, 409, 'enrolment.duplicate');
    const adjudicationId = dup.body.data.adjudicationId as string;
    expectError(
      await metro('POST', '/v1/persons', enrolBody(lookalike, { adjudicationId })),
      409,
      'adjudication.not_cleared',
    );
    const ruling = await admin('POST', `/v1/adjudications/${adjudicationId}/resolution`, {
      decision: 'different_people',
      note: 'twin sister, documents checked at the desk',
    });
    expect(ruling.body).toMatchObject({ status: 'different_people', enrolledPersonId: null });
    const enrolled = await metro('POST', '/v1/persons', enrolBody(lookalike, { adjudicationId }));
    expect(enrolled.status).toBe(201);
    expectError(
      await metro('POST', '/v1/persons', enrolBody(lookalike, { adjudicationId })),
      409,
      'adjudication.not_cleared',
    );
    const cases = await admin('GET', '/v1/adjudications?status=different_people');
    // Operators see the citizen's own id; the enrolling party only its pseudonym.
    expect(cases.body.adjudications.find((c: { id: string }) => c.id === adjudicationId).enrolledPersonId).toBe(
      enrolled.body.receipt.citizenId,
    );
    // Another party cannot use this party's case.
    const other = client(registry.app)(await newRelyingParty(registry.app, { name: 'Bank' }));
    expectError(
      await other('POST', '/v1/persons', enrolBody(lookalike, { adjudicationId })),
      404,
      'adjudication.not_found',
    );
  });

  it('idempotency.key_reused: one key, two different requests', async () => {
    const key = { 'idempotency-key': 'verify-1' };
    const first = await metro('POST', '/v1/verifications', { personId, purpose: 'transit_fare', image: amy }, key);
    expect(first.status).toBe(200);
    const other = b64(await readFace('small', 'amy', 'amy2.png'));
    expectError(
      await metro('POST', '/v1/verifications', { personId, purpose: 'transit_fare', image: other }, key),
      422,
      'idempotency.key_reused',
    );
  });

  it('engine.unavailable: a saturated engine refuses at once with a retryable 503', async () => {
    const tiny = await startTestEngine({ OBLIK_ENGINE_THREADS: '1', OBLIK_ENGINE_MAX_QUEUE: '1' });
    const { registry: busy, store: busyStore } = await startTestRegistry(dialect, tiny);
    try {
      const key = await newRelyingParty(busy.app);
      const api = client(busy.app)(key);
      const image = b64(await readFace('small', 'deepface7', 'img19.jpg'));
      const replies = await Promise.all(
        Array.from({ length: 8 }, () => api('POST', '/v1/identifications', { purpose: 'transit_fare', image })),
      );
      const codes = replies.map((r) => r.body.code ?? r.status);
      expect(codes).toContain('engine.unavailable');
      expect(codes).toContain(200);
      expect(replies.find((r) => r.status === 503)?.body.data.reason).toBe('queue_full');
    } finally {
      await busy.close();
      await busyStore.dispose();
      await tiny.close();
    }
  });

  it('documents every error code in the OpenAPI document', async () => {
    const res = await registry.app.inject({ method: 'GET', url: '/openapi.json' });
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const text = JSON.stringify(doc);
    for (const code of ['enrolment.duplicate', 'consent.missing', 'auth.unauthorized', 'face.spoof_suspected']) {
      expect(text).toContain(code);
    }
    for (const path of ['/v1/persons', '/v1/verifications', '/v1/identifications', '/v1/persons/{personId}']) {
      expect(doc.paths[path]).toBeDefined();
    }
    const docs = await registry.app.inject({ method: 'GET', url: '/docs/' });
    expect([200, 302]).toContain(docs.statusCode);
  });
});
