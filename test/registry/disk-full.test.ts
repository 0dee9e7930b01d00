import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import { loadConfig } from '../../src/config/config.js';
import { buildRegistry, type Registry } from '../../src/composition.js';
import { startTestEngine } from '../engine.js';
import { LogLines } from '../log-lines.js';
import { ADMIN_KEY, client, newEnrolment, newRelyingParty, type Reply } from '../registry.js';

/**
 * The embedded store runs out of room: the write is refused whole with a stable 503 `store.full` (not a bare
 * 500), the log names the cause (SQLITE_FULL, not "cannot rollback"), and once space is back the registry
 * writes again without a restart. Two ways to fill it: a real full file system (a small tmpfs, when this user
 * may mount one: root on CI), and SQLite's own page limit (max_page_count), which fails the same way anywhere.
 */

function tryMountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mountPoint = mkdtempSync(join(tmpdir(), 'oblik-full-'));
const mounted = tryMountTmpfs(mountPoint, '8m');
if (!mounted && process.env['CI'] === 'true') {
  throw new Error('cannot mount a tmpfs for the disk-full test; CI runs as root and must be able to');
}
if (!mounted) console.warn('\n*** cannot mount a tmpfs (not root?): the real disk-full case is SKIPPED ***\n');

describe('a full SQLite store', () => {
  let engine: FaceEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await engine?.close();
    if (mounted) execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  const start = async (dataDir: string, logs: LogLines): Promise<Registry> =>
    buildRegistry(
      loadConfig({
        OBLIK_DATA_DIR: dataDir,
        OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        OBLIK_SEGMENTS: 'moscow:Moscow',
        OBLIK_LOG_LEVEL: 'info',
      }),
      { engine, logStream: logs },
    );

  /**
   * Fills the store (registering relying parties, each a principal and an audit record) until it refuses,
   * then checks the refusal, that an enrolment is refused whole too, and that writes resume after `makeRoom`.
   */
  const expectFullThenRecover = async (
    registry: Registry,
    logs: LogLines,
    fill: () => Promise<void>,
    makeRoom: () => Promise<void>,
    options: { enrolmentRefused: boolean },
  ) => {
    const metro = client(registry.app)(await newRelyingParty(registry.app));
    const admin = client(registry.app)(ADMIN_KEY);
    const { db } = registry.store;
    const count = async (table: 'principals' | 'persons' | 'audit_events') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    await fill();
    let refused: Reply | undefined;
    for (let i = 0; i < 20_000 && !refused; i++) {
      const before = await count('principals');
      const r = await admin('POST', '/v1/operators', { name: `Desk ${i}`, segments: ['moscow'] });
      if (r.status === 201) continue;
      refused = r;
      // The refused write left nothing behind.
      expect(await count('principals')).toBe(before);
    }
    if (!refused) throw new Error('the store never filled up');
    expect([refused.status, refused.body.code]).toEqual([503, 'store.full']);
    const requestId = refused.headers['x-request-id'];
    expect(refused.body.data.requestId).toBe(requestId);
    const line = logs.find((l) => l['reqId'] === requestId && l['msg'] === 'request failed');
    expect(JSON.stringify(line)).toMatch(/SQLITE_FULL/);
    expect(logs.text()).not.toContain('cannot rollback');

    if (options.enrolmentRefused) {
      // An enrolment is refused whole: no person, no audit record.
      const [persons, audits] = [await count('persons'), await count('audit_events')];
      const enrolment = await metro('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']));
      expect([enrolment.status, enrolment.body.code]).toEqual([503, 'store.full']);
      expect([await count('persons'), await count('audit_events')]).toEqual([persons, audits]);
    }
    // Reads go on.
    expect((await admin('GET', '/v1/segments')).status).toBe(200);

    await makeRoom();
    const enrolled = await metro('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']));
    expect(enrolled.status).toBe(201);
    expect((await admin('GET', `/v1/persons/${enrolled.body.receipt.citizenId as string}`)).status).toBe(200);
  };

  it('SQLite page limit reached: 503 store.full, cause logged, writes resume when room is made', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oblik-pages-'));
    const logs = new LogLines();
    const registry = await start(dataDir, logs);
    try {
      const { db } = registry.store;
      const pages = async () => (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]!.page_count;
      await expectFullThenRecover(
        registry,
        logs,
        // A few pages more than the store holds now: the writes that need more fail with SQLITE_FULL.
        async () => void (await sql.raw(`pragma max_page_count = ${(await pages()) + 8}`).execute(db)),
        async () => void (await sql.raw(`pragma max_page_count = ${(await pages()) + 100_000}`).execute(db)),
        // Under a page limit, a write that fits in the free room of pages it already has still succeeds.
        { enrolmentRefused: false },
      );
    } finally {
      await registry.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.runIf(mounted)('a full file system: 503 store.full, cause logged, writes resume once space is freed', async () => {
    const dataDir = join(mountPoint, 'data');
    mkdirSync(dataDir);
    const logs = new LogLines();
    const registry = await start(dataDir, logs);
    const filler = join(mountPoint, 'filler');
    try {
      await expectFullThenRecover(
        registry,
        logs,
        // Fill the file system but for a few kilobytes.
        () => {
          const { bavail, bsize } = statfsSync(mountPoint);
          writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 16 * 1024)));
          return Promise.resolve();
        },
        () => Promise.resolve(rmSync(filler)),
        // With the file system full, the write-ahead log cannot grow: every write is refused.
        { enrolmentRefused: true },
      );
    } finally {
      await registry.close();
    }
  });
});
