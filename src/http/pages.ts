import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';

/** Where `npm run build:pages` (vite.pages.config.ts) writes the pages: `dist/web`, from src/ and dist/ alike. */
export const PAGES_DIR = fileURLToPath(new URL('../../dist/web', import.meta.url));

const ASSET_NAME = /^[A-Za-z0-9_.-]+$/;

/** Every built page: a folder with an `index.html`, as its URL path (`console`, `kiosk/enrol`). */
export function builtPages(dir: string = PAGES_DIR): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (name === 'assets' || name.startsWith('.')) continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (name === 'index.html' && folder !== dir) found.push(relative(dir, folder).split(sep).join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * Serves the built pages from this server: each page at `/<page>/` (and `/<page>`), their hashed assets under
 * `/assets/`, compressed copies (`.br`, `.gz`, written at build time) when the browser accepts them. Pages are
 * public (they hold no data; every call they make carries its own credential). HTML is revalidated on each
 * load; assets are named by their content hash and cached for a year.
 */
export async function registerPages(app: FastifyInstance, dir: string = PAGES_DIR): Promise<string[]> {
  const pages = builtPages(dir);
  if (pages.length === 0) {
    app.log.warn({ dir }, 'no pages built (run npm run build:pages): /console/ and the kiosks are not served');
    return pages;
  }
  await app.register(fastifyStatic, { root: dir, serve: false, preCompressed: true, index: false });
  const route = { config: { public: true }, schema: { hide: true } };
  for (const page of pages) {
    const html = `${page}/index.html`;
    for (const url of [`/${page}/`, `/${page}`]) {
      app.get(url, route, (_req, reply) =>
        reply.header('cache-control', 'no-cache').sendFile(html, { cacheControl: false }),
      );
    }
  }
  app.get<{ Params: { name: string } }>('/assets/:name', route, (req, reply) => {
    const { name } = req.params;
    if (!ASSET_NAME.test(name) || name.startsWith('.')) {
      throw new AppError('request.not_found', `no asset ${name}`);
    }
    return reply.sendFile(`assets/${name}`, { immutable: true, maxAge: '365d', cacheControl: true });
  });
  return pages;
}
