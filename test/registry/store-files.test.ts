import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import { client, newEnrolment, newRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

/** What the registry writes to disk is readable by its own user only. */
const dialects = await testDialects();
const mode = (path: string) => statSync(path).mode & 0o777;

describe.each(dialects)('files on disk on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  const parent = mkdtempSync(join(tmpdir(), 'oblik-files-'));
  // A data directory the registry must create itself (the test store's own directory is made by the test).
  const dataDir = join(parent, 'fresh', 'data');

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine, { OBLIK_DATA_DIR: dataDir }));
    const metro = client(registry.app)(await newRelyingParty(registry.app));
    expect((await metro('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']))).status).toBe(201);
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
    rmSync(parent, { recursive: true, force: true });
  });

  it('the data directory is 0700 and the master key file 0600', () => {
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'master.key'))).toBe(0o600);
  });

  it.runIf(dialect === 'sqlite')('the SQLite database and its -wal and -shm files are 0600', () => {
    for (const file of ['oblik.sqlite', 'oblik.sqlite-wal', 'oblik.sqlite-shm']) {
      const path = join(dataDir, file);
      expect([file, existsSync(path)]).toEqual([file, true]);
      expect([file, mode(path).toString(8)]).toEqual([file, '600']);
    }
  });
});
