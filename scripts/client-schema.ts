import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { buildRegistry } from '../src/composition.js';
import { loadConfig } from '../src/config/config.js';

/** Where the typed client's generated types live (committed; `npm run client:generate` rewrites them). */
export const CLIENT_SCHEMA_PATH = fileURLToPath(new URL('../web/src/api/schema.d.ts', import.meta.url));

const HEADER =
  '// Generated from /openapi.json by `npm run client:generate` (openapi-typescript). Do not edit by hand:\n' +
  '// a test fails when this file differs from what the server documents.\n\n';

/**
 * The server's OpenAPI document, from the real application on a throwaway SQLite store (the routes are the
 * ones `npm start` mounts; the engine starts with one worker and serves no request).
 */
export async function liveOpenApiDocument(): Promise<unknown> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oblik-openapi-'));
  const registry = await buildRegistry(
    loadConfig({ OBLIK_DATA_DIR: dataDir, OBLIK_ENGINE_THREADS: '1', OBLIK_LOG_LEVEL: 'silent' }),
  );
  try {
    const reply = await registry.app.inject({ method: 'GET', url: '/openapi.json' });
    if (reply.statusCode !== 200) throw new Error(`/openapi.json answered ${reply.statusCode}`);
    return reply.json();
  } finally {
    await registry.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The TypeScript types (openapi-typescript `paths`, `components`) for a document. */
export async function clientSchemaSource(document: unknown): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { alphabetize: true });
  return HEADER + astToString(ast);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const source = await clientSchemaSource(await liveOpenApiDocument());
  writeFileSync(CLIENT_SCHEMA_PATH, source);
  console.log(`wrote ${CLIENT_SCHEMA_PATH} (${source.length} characters)`);
}
