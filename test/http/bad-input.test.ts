import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import { LogLines } from '../log-lines.js';
import { ADMIN_KEY, b64, client, newRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

/**
 * Input that used to reach the catch-all 500 or Fastify's own error bodies: each now answers in the error
 * format `{code, message, data?}` with a stable code and an `x-request-id`, and leaks no internals.
 */
const dialects = await testDialects();

/** One raw HTTP/1.1 request: the path goes out exactly as written (no client normalises `..` away). */
function rawGet(port: number, path: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`),
    );
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
    });
  });
}

describe.each(dialects)('bad input answers in the error format on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let metroKey: string;
  const logs = new LogLines();

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine, { OBLIK_LOG_LEVEL: 'info' }, { logStream: logs }));
    metroKey = await newRelyingParty(registry.app);
    await registry.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  const port = () => (registry.app.server.address() as AddressInfo).port;
  const expectOurFormat = (
    res: { statusCode: number; headers: Record<string, unknown>; body: string },
    status: number,
    code: string,
  ) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(body).toMatchObject({ code, message: expect.any(String) });
    expect(Object.keys(body).every((k) => ['code', 'message', 'data'].includes(k))).toBe(true);
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    return body;
  };

  it('a multipart body with a wrong boundary, without one, or cut short: 400 request.invalid', async () => {
    const part = (boundary: string) =>
      `--${boundary}\r\ncontent-disposition: form-data; name="segment"\r\n\r\nmoscow\r\n--${boundary}--\r\n`;
    const cases = [
      { contentType: 'multipart/form-data; boundary=expected', payload: part('other') },
      { contentType: 'multipart/form-data', payload: part('x') },
      { contentType: 'multipart/form-data; boundary=cut', payload: part('cut').slice(0, 40) },
    ];
    for (const c of cases) {
      const res = await registry.app.inject({
        method: 'POST',
        url: '/v1/persons',
        headers: { authorization: `Bearer ${metroKey}`, 'content-type': c.contentType },
        payload: c.payload,
      });
      expectOurFormat(res, 400, 'request.invalid');
    }
  });

  it('a path that climbs out of /docs/static: 404 request.not_found, never the file', async () => {
    for (const path of [
      '/docs/static/../../package.json',
      '/docs/static/%2e%2e/%2e%2e/package.json',
      '/docs/static/..%5c..%5cpackage.json',
      '/docs/static/....//....//etc/passwd',
      '/docs/static/%00',
    ]) {
      const res = await rawGet(port(), path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'request.not_found' });
      expect(res.headers).toMatch(/x-request-id: req_/);
      expect(res.body).not.toContain('"name"');
    }
    // A URL that is not even valid percent-encoding.
    const bad = await rawGet(port(), '/docs/static/%c0%ae%c0%ae/x');
    expect([bad.status, JSON.parse(bad.body).code]).toEqual([400, 'request.invalid']);
    expect(bad.headers).toMatch(/x-request-id: req_/);
    // The documentation's own files are still served.
    expect((await rawGet(port(), '/docs/static/swagger-ui.css')).status).toBe(200);
  });

  it('a path parameter over 100 characters: 414 request.uri_too_long in our format', async () => {
    const res = await registry.app.inject({
      method: 'GET',
      url: `/v1/persons/${'a'.repeat(120)}`,
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const body = expectOurFormat(res, 414, 'request.uri_too_long');
    expect(JSON.stringify(body)).not.toContain('aaaa');
  });

  it('image.unreadable carries no decoder internals; the cause goes to the log', async () => {
    const truncated = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('truncated JPEG')]);
    const res = await client(registry.app)(metroKey)('POST', '/v1/persons', {
      segment: 'moscow',
      channel: 'kiosk',
      consents: ['transit_fare'],
      image: b64(truncated),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'image.unreadable', message: 'the image could not be decoded' });
    const requestId = res.headers['x-request-id'] as string;
    const refusal = logs.find((l) => l['reqId'] === requestId && l['msg'] === 'request refused');
    expect(refusal).toMatchObject({ code: 'image.unreadable', cause: expect.stringMatching(/jpeg/i) });
  });

  it('every new code is documented in the OpenAPI error schema', async () => {
    const doc = (await client(registry.app)()('GET', '/openapi.json')).body;
    const codes = doc.components.schemas.Error.properties.code.enum as string[];
    for (const code of ['request.uri_too_long', 'request.rate_limited', 'store.full', 'store.unavailable']) {
      expect(codes).toContain(code);
    }
  });
});
