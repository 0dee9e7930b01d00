import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin, type ResolvedConfig } from 'vite';

/**
 * The pages' build (`npm run build:pages`, also run by `prepare`, so `npm ci` builds them). Every folder of
 * `web/` holding an `index.html` is a page, served by src/http/pages.ts at the same path; shared code is split
 * into common chunks under `/assets/`. The output is CSP-clean: no inline script or style, no data: URLs, no
 * request to any other origin.
 */
const root = fileURLToPath(new URL('./web', import.meta.url));

function pages(dir: string, found: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'src' && name !== 'build' && name !== 'public') pages(path, found);
    } else if (name === 'index.html') {
      found[(relative(root, dir) || 'index').replaceAll('/', '-')] = path;
    }
  }
  return found;
}

const COMPRESSIBLE = /\.(html|js|css|svg|json|txt)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/**
 * Writes `.br` and `.gz` beside every text asset once, at build time, so the server sends compressed bytes
 * (`@fastify/static` `preCompressed`) without compressing on each request. A compressed copy that would not
 * be smaller is not written.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'oblik-precompress',
    apply: 'build',
    configResolved(config: ResolvedConfig) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      for (const file of files(outDir)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const raw = readFileSync(file);
        const br = brotliCompressSync(raw, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
        });
        const gz = gzipSync(raw, { level: 9 });
        if (br.length < raw.length) writeFileSync(`${file}.br`, br);
        if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz);
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Strict CSP: default-src 'self' refuses data: URLs, so nothing is inlined.
    assetsInlineLimit: 0,
    // Every supported browser has module preload; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    sourcemap: false,
    rolldownOptions: { input: pages(root) },
  },
  plugins: [precompress()],
});
