import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import { LogLines } from '../log-lines.js';
import { ADMIN_KEY, client, newEnrolment, newRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

/** Citizen ids travel in URLs and bodies; the request log names route patterns and never holds them. */
const dialects = await testDialects();

describe.each(dialects)('request logs keep citizen ids out on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  const logs = new LogLines();

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine, { OBLIK_LOG_LEVEL: 'info' }, { logStream: logs }));
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('logs GET /v1/persons/:personId by its pattern, and no id from a URL, query or body', async () => {
    const metro = client(registry.app)(await newRelyingParty(registry.app));
    const admin = client(registry.app)(ADMIN_KEY);
    const enrolled = await metro('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']));
    expect(enrolled.status).toBe(201);
    const citizenId = enrolled.body.receipt.citizenId as string;
    const pseudonym = enrolled.body.personId as string;

    expect((await admin('GET', `/v1/persons/${citizenId}`)).status).toBe(200);
    expect((await admin('GET', `/v1/persons/${citizenId}/guardians?about=${citizenId}`)).status).toBeLessThan(500);
    await admin('GET', `/v1/persons/${citizenId}/no-such-thing`);
    await client(registry.app)()('POST', '/v1/citizen/sessions', { citizenId, code: 'wrong-code-123' });
    await metro('POST', '/v1/verifications', { personId: pseudonym, purpose: 'transit_fare', image: 'AAAA' });

    const text = logs.text();
    expect(text).not.toContain(citizenId);
    expect(text).not.toContain(pseudonym);
    const incoming = logs.lines.filter((l) => l['msg'] === 'incoming request');
    expect(incoming.length).toBeGreaterThanOrEqual(5);
    expect(incoming.map((l) => l['req'])).toContainEqual(
      expect.objectContaining({ method: 'GET', route: '/v1/persons/:personId' }),
    );
    // Each line still ties to its request by id.
    expect(incoming.every((l) => typeof l['reqId'] === 'string')).toBe(true);
  });
});
