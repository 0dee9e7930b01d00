import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../src/http/error-handler.js';
import { builtPages, PAGES_DIR, registerPages } from '../../src/http/pages.js';

/** The page routes alone, on a bare Fastify with the registry's error handler (no store needed). */
describe('serving the built pages', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    app.setErrorHandler(errorHandler);
    app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'request.not_found', message: req.url }));
    await registerPages(app);
    await app.ready();
  });
  afterAll(() => app.close());

  const get = (url: string, encoding?: string) =>
    app.inject({ method: 'GET', url, headers: encoding ? { 'accept-encoding': encoding } : {} });

  it('finds every page that web/ defines', () => {
    expect(builtPages()).toEqual(expect.arrayContaining(['console', 'kiosk/enrol']));
  });

  it('sends each page compressed as the browser accepts (brotli, gzip, none), revalidated on each load', async () => {
    for (const page of ['console', 'kiosk/enrol']) {
      const html = readFileSync(join(PAGES_DIR, page, 'index.html'));
      const br = await get(`/${page}/`, 'br, gzip');
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.rawPayload)).toEqual(html);
      expect(br.headers['cache-control']).toBe('no-cache');
      expect(br.headers['content-type']).toMatch(/^text\/html/);
      const gz = await get(`/${page}`, 'gzip');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.rawPayload)).toEqual(html);
      const plain = await get(`/${page}/`);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.rawPayload).toEqual(html);
    }
  });

  it('serves hashed assets for a year, and nothing outside them', async () => {
    const html = readFileSync(join(PAGES_DIR, 'console', 'index.html'), 'utf8');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await get(script!, 'br');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-encoding']).toBe('br');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    // No inline script or style anywhere: the pages run under default-src 'self'.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|style="/);
    for (const url of ['/assets/missing.js', '/assets/..%2fconsole%2findex.html', '/assets/.hidden', '/console/x.js']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ code: 'request.not_found' });
    }
  });
});
