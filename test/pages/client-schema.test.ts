import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCHEMA_PATH, clientSchemaSource, liveOpenApiDocument } from '../../scripts/client-schema.js';

describe('the typed client (Oblik SDK)', () => {
  it('matches the server’s live OpenAPI document: a changed route breaks here, not in a page', async () => {
    const committed = readFileSync(CLIENT_SCHEMA_PATH, 'utf8');
    const generated = await clientSchemaSource(await liveOpenApiDocument());
    // On failure: run `npm run client:generate`, then fix the pages the type checker points at.
    expect(generated === committed, 'web/src/api/schema.d.ts is stale: run npm run client:generate').toBe(true);
  });
});
