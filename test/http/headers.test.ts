import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import {
  ADMIN_KEY,
  client,
  ensureContact,
  lastCode,
  newEnrolment,
  startTestRegistry,
  type Reply,
} from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

/**
 * Security headers (@fastify/helmet) on every answer, no caching of anything that carries a credential or
 * personal data, a strict CSP with frame protection on pages, and per-source limits (@fastify/rate-limit).
 */
const dialects = await testDialects();

describe.each(dialects)('security headers and per-source limits on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let admin: ReturnType<ReturnType<typeof client>>;
  let anon: ReturnType<ReturnType<typeof client>>;

  beforeAll(async () => {
    engine = await startTestEngine();
    // A small per-source limit, so that the test can reach it.
    ({ registry, store } = await startTestRegistry(dialect, engine, {
      OBLIK_RATE_LIMIT_MAX: '20',
      OBLIK_RATE_LIMIT_WINDOW_SECONDS: '60',
    }));
    admin = client(registry.app)(ADMIN_KEY);
    anon = client(registry.app)();
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  const noStore = (r: Reply) => expect(r.headers['cache-control']).toBe('no-store');
  const nosniff = (r: Reply) => expect(r.headers['x-content-type-options']).toBe('nosniff');

  it('nosniff on answers, refusals and pages alike', async () => {
    for (const r of [
      await anon('GET', '/v1/transparency/tree-head'),
      await anon('GET', '/v1/persons'),
      await anon('GET', '/no/such/route'),
      await anon('GET', '/docs/'),
      await anon('GET', '/docs/static/swagger-ui.css'),
      await anon('GET', '/openapi.json'),
    ]) {
      nosniff(r);
    }
  });

  it('no-store on API keys, sign-in codes, citizen sessions and exports; documentation files may be cached', async () => {
    const party = await admin('POST', '/v1/relying-parties', {
      name: 'Metro',
      purposes: ['transit_fare'],
      segments: ['moscow'],
      rights: ['enrol', 'verify', 'identify'],
    });
    expect(party.status).toBe(201);
    expect(party.body.apiKey).toEqual(expect.any(String));
    noStore(party);
    const operator = await admin('POST', '/v1/operators', { name: 'Desk', segments: ['moscow'] });
    expect(operator.status).toBe(201);
    noStore(operator);

    const metro = client(registry.app)(party.body.apiKey as string);
    const enrolled = await metro('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']));
    expect(enrolled.status).toBe(201);
    const citizenId = enrolled.body.receipt.citizenId as string;
    noStore(enrolled);

    const contact = await ensureContact(registry, citizenId);
    const sent = await admin('POST', `/v1/persons/${citizenId}/sign-in-codes`);
    expect(sent.status).toBe(201);
    noStore(sent);
    const code = lastCode(registry, contact.channel, contact.to);
    const session = await anon('POST', '/v1/citizen/sessions', { citizenId, code });
    expect(session.status).toBe(201);
    expect(session.body.token).toEqual(expect.any(String));
    noStore(session);
    const exported = await client(registry.app)(session.body.token as string)('GET', '/v1/citizen/export');
    expect(exported.status).toBe(200);
    noStore(exported);
    nosniff(exported);

    const css = await anon('GET', '/docs/static/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).not.toBe('no-store');
  });

  it('pages get a strict CSP (self only, no inline scripts) and may not be framed', async () => {
    const page = await anon('GET', '/docs/');
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    const directives = Object.fromEntries(
      csp.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives).toMatchObject({
      'default-src': "'self'",
      'script-src': "'self'",
      'script-src-attr': "'none'",
      'object-src': "'none'",
      'frame-ancestors': "'none'",
    });
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers['x-frame-options']).toBe('DENY');
    // The page itself has no inline script: everything it runs comes from this origin.
    expect(String(page.body)).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('routes reachable without a key are limited per source: 429 request.rate_limited with Retry-After', async () => {
    const from = (remoteAddress: string) =>
      registry.app.inject({ method: 'GET', url: '/v1/transparency/tree-head', remoteAddress });
    const replies = [];
    for (let i = 0; i < 25; i++) replies.push(await from('10.0.0.7'));
    const statuses = replies.map((r) => r.statusCode);
    expect(statuses.slice(0, 20).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
    const last = replies[24];
    expect(JSON.parse(last?.body ?? '{}')).toMatchObject({
      code: 'request.rate_limited',
      data: { retryAfterSeconds: expect.any(Number) },
    });
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    expect(last?.headers['x-request-id']).toMatch(/^req_/);
    // Another source still gets through; keyed callers are not limited by default.
    expect((await from('10.0.0.8')).statusCode).not.toBe(429);
    for (let i = 0; i < 25; i++) expect((await admin('GET', '/v1/segments')).status).toBe(200);
  });
});
