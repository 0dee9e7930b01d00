import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { Registry } from '../../src/composition.js';
import { verifyLog, type LogVerification } from '../../src/modules/transparency/log-verifier.js';
import { LogWitness } from '../../src/modules/transparency/witness.js';
import { randomId } from '../../src/ports/ids.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { b64, client, newEnrolment, newRelyingParty, startTestRegistry } from '../registry.js';
import { testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();
const root = fileURLToPath(new URL('../..', import.meta.url));

/** `oblik audit verify` as a user runs it (from source through tsx, like test/cli.test.ts), on the test store. */
const oblikAuditVerify = (env: Record<string, string>) => oblikAudit(['verify'], env);

function oblikAudit(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'audit', ...args],
      { cwd: root, env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

/** Every audit column a leaf covers (person_id through the row MAC and the commitment), the MAC and the leaf hash. */
const LEAF_TEXT_COLUMNS = [
  'id',
  'at',
  'actor_id',
  'actor_role',
  'action',
  'purpose',
  'segment_id',
  'template_id',
  'result',
  'request_id',
  'detail',
  'mac',
  'leaf_hash',
  'person_id',
] as const;
type AuditColumn = (typeof LEAF_TEXT_COLUMNS)[number] | 'score';
const HEAD_TEXT_COLUMNS = ['root_hash', 'signature'] as const;
type HeadColumn = (typeof HEAD_TEXT_COLUMNS)[number] | 'timestamp' | 'tree_size';

/** The text with its byte `i` changed in its lowest bit (ASCII stays ASCII). */
const flipText = (s: string, i: number) => s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ 1) + s.slice(i + 1);
/** The number with byte `i` of its float32 (big-endian) changed: exact on PostgreSQL's real and SQLite's. */
function flipFloat(v: number, i: number): number | undefined {
  const b = Buffer.alloc(4);
  b.writeFloatBE(v);
  b[i] = b[i]! ^ 1;
  const flipped = b.readFloatBE();
  return Number.isFinite(flipped) && flipped !== v ? flipped : undefined;
}
/** The integer with byte `i` (from the least significant) of its uint64 changed. */
const flipInt = (v: number, i: number) => Number(BigInt(v) ^ (1n << BigInt(8 * i)));

describe.each(dialects)('oblik audit verify on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let env: Record<string, string>;
  const verify = (): Promise<LogVerification> =>
    verifyLog(registry.repositories.transparency, registry.services.systemKeys);

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store } = await startTestRegistry(dialect, engine));
    env = { ...store.env, OBLIK_LOG_LEVEL: 'silent' };
    const log = registry.services.transparency;
    // Several heads over records of every kind: credentials, an enrolment, a verification with a score.
    const metro = await newRelyingParty(registry.app);
    await log.integrate();
    const enrolled = await client(registry.app)(metro)('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']));
    expect(enrolled.status).toBe(201);
    await log.integrate();
    const verified = await client(registry.app)(metro)('POST', '/v1/verifications', {
      personId: enrolled.body.personId,
      purpose: 'transit_fare',
      image: b64(await readFace('small', 'amy', 'amy2.png')),
    });
    expect(verified.body.match).toBe(true);
    await newRelyingParty(registry.app, { name: 'Venue' });
    await log.integrate();
    await newRelyingParty(registry.app, { name: 'School' });
    await log.integrate();
    // One record left waiting: pending, not tampered.
    await newRelyingParty(registry.app, { name: 'Parking' });
  });
  afterAll(async () => {
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  const leaves = () =>
    registry.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('leaf_index', 'is not', null)
      .orderBy('leaf_index')
      .execute();
  const heads = () => registry.store.db.selectFrom('tree_heads').selectAll().orderBy('tree_size').execute();

  /** Sets one column of one audit row, verifies, restores; returns the verification (undefined if refused). */
  async function withAuditColumn(id: string, column: AuditColumn, value: string | number) {
    const db = registry.store.db;
    const original = await db.selectFrom('audit_events').select(column).where('id', '=', id).executeTakeFirstOrThrow();
    // The id column may be the one changed: find the row by seq.
    const { seq } = await db.selectFrom('audit_events').select('seq').where('id', '=', id).executeTakeFirstOrThrow();
    await db
      .updateTable('audit_events')
      .set({ [column]: value })
      .where('seq', '=', seq)
      .execute();
    try {
      return await verify();
    } finally {
      await db
        .updateTable('audit_events')
        .set({ [column]: original[column] })
        .where('seq', '=', seq)
        .execute();
    }
  }

  /** Sets one field of one signed head, verifies, restores; undefined if the store refuses the change. */
  async function withHeadColumn(treeSize: number, column: HeadColumn, value: string | number) {
    const db = registry.store.db;
    const original = await db
      .selectFrom('tree_heads')
      .selectAll()
      .where('tree_size', '=', treeSize)
      .executeTakeFirstOrThrow();
    try {
      await db
        .updateTable('tree_heads')
        .set({ [column]: value })
        .where('tree_size', '=', treeSize)
        .execute();
    } catch {
      return undefined; // another head already has that size
    }
    const now = column === 'tree_size' ? (value as number) : treeSize;
    try {
      return await verify();
    } finally {
      await db
        .updateTable('tree_heads')
        .set({ [column]: original[column] })
        .where('tree_size', '=', now)
        .execute();
    }
  }

  it('an untouched store verifies, with the waiting record reported as pending', async () => {
    const report = await verify();
    expect(report).toMatchObject({ ok: true, pending: 1 });
    expect(report.leaves).toBe(5);
    expect(report.heads).toBe(4);
    expect(report.latest?.treeSize).toBe(report.leaves);
    expect((await heads()).map((h) => h.tree_size).at(-1)).toBe(report.leaves);

    // A change to the waiting record is caught before it joins the log: its MAC no longer authenticates it.
    const waiting = await registry.store.db
      .selectFrom('audit_events')
      .select('id')
      .where('leaf_index', 'is', null)
      .executeTakeFirstOrThrow();
    expect((await withAuditColumn(waiting.id, 'result', 'forged')).tampered).toMatchObject({
      kind: 'leaf',
      leafIndex: null,
      auditEventId: waiting.id,
      reason: expect.stringMatching(/^waiting for integration, which will refuse it: unauthenticated/),
    });
  });

  it('any byte changed in any column of a full leaf is caught and names that leaf and its record', async () => {
    const rows = await leaves();
    const full = rows.find((r) => r.action === 'verification')!;
    expect(full.score).not.toBeNull();
    expect(full.person_id).not.toBeNull();
    const missed: string[] = [];
    const check = async (column: AuditColumn, value: string | number, what: string) => {
      const report = await withAuditColumn(full.id, column, value);
      const named = report?.tampered?.kind === 'leaf' && report.tampered.leafIndex === full.leaf_index;
      if (report?.ok !== false || !named) missed.push(`${what}: ${JSON.stringify(report?.tampered ?? report)}`);
      else if (column !== 'id' && report.tampered?.kind === 'leaf') expect(report.tampered.auditEventId).toBe(full.id);
    };
    for (const column of LEAF_TEXT_COLUMNS) {
      const value = full[column]!;
      for (let i = 0; i < value.length; i++) await check(column, flipText(value, i), `${column}[${i}]`);
    }
    for (let i = 0; i < 4; i++) {
      const value = flipFloat(full.score!, i);
      if (value !== undefined) await check('score', value, `score byte ${i}`);
    }
    expect(missed).toEqual([]);
    expect((await verify()).ok).toBe(true);
  });

  it('a changed byte in every leaf column of every other leaf is caught too, naming the first', async () => {
    const rows = await leaves();
    const missed: string[] = [];
    for (const row of rows) {
      for (const column of LEAF_TEXT_COLUMNS) {
        const value = row[column];
        if (value === null) continue;
        const i = (row.leaf_index! * 7 + column.length) % value.length;
        const report = await withAuditColumn(row.id, column, flipText(value, i));
        if (report.tampered?.kind !== 'leaf' || report.tampered.leafIndex !== row.leaf_index) {
          missed.push(`leaf ${row.leaf_index} ${column}[${i}]: ${JSON.stringify(report.tampered ?? report)}`);
        }
      }
    }
    expect(missed).toEqual([]);
  });

  it('any byte changed in a signed head (root, signature, timestamp, size) is caught and names the head', async () => {
    const all = await heads();
    const missed: string[] = [];
    const check = async (head: (typeof all)[number], column: HeadColumn, value: string | number, what: string) => {
      const report = await withHeadColumn(head.tree_size, column, value);
      if (report === undefined) return;
      const named = column === 'tree_size' ? value : head.tree_size;
      if (report.ok || report.tampered?.kind !== 'head' || report.tampered.treeSize !== named) {
        missed.push(`head ${head.tree_size} ${what}: ${JSON.stringify(report.tampered ?? report)}`);
      }
    };
    const middle = all[1]!;
    for (const column of HEAD_TEXT_COLUMNS) {
      for (let i = 0; i < middle[column].length; i++)
        await check(middle, column, flipText(middle[column], i), `${column}[${i}]`);
    }
    for (let i = 0; i < 6; i++) await check(middle, 'timestamp', flipInt(middle.timestamp, i), `timestamp byte ${i}`);
    for (let i = 0; i < 4; i++) await check(middle, 'tree_size', flipInt(middle.tree_size, i), `tree_size byte ${i}`);
    for (const head of all) {
      await check(head, 'root_hash', flipText(head.root_hash, head.tree_size % 64), 'root_hash');
      await check(head, 'signature', flipText(head.signature, head.tree_size % 86), 'signature');
      await check(head, 'timestamp', flipInt(head.timestamp, 0), 'timestamp');
    }
    expect(missed).toEqual([]);
    expect((await verify()).ok).toBe(true);
  });

  it('removing a leaf or clearing its index is caught', async () => {
    const rows = await leaves();
    const victim = rows[3]!;
    const db = registry.store.db;
    await db.updateTable('audit_events').set({ leaf_index: null }).where('id', '=', victim.id).execute();
    try {
      expect((await verify()).tampered).toMatchObject({ kind: 'leaf', leafIndex: 3 });
    } finally {
      await db.updateTable('audit_events').set({ leaf_index: 3 }).where('id', '=', victim.id).execute();
    }
    await sql`update log_state set tree_size = tree_size + 1`.execute(db);
    try {
      expect((await verify()).tampered).toMatchObject({ kind: 'log' });
    } finally {
      await sql`update log_state set tree_size = tree_size - 1`.execute(db);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('the command exits 0 with a summary, or 1 naming the first tampered entry', async () => {
    const ok = await oblikAuditVerify(env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^transparency log verified: \d+ leaves, 4 signed tree heads, 1 audit records pending/m);
    expect(ok.stdout).toMatch(/latest verified tree head: size \d+, root [0-9a-f]{64}/);

    const rows = await leaves();
    const all = await heads();
    const head = all[1]!;
    const later = rows.find((r) => r.leaf_index! >= head.tree_size)!;
    const db = registry.store.db;
    await db
      .updateTable('audit_events')
      .set({ result: `${later.result}!` })
      .where('id', '=', later.id)
      .execute();
    await db
      .updateTable('tree_heads')
      .set({ root_hash: flipText(head.root_hash, 0) })
      .where('tree_size', '=', head.tree_size)
      .execute();
    try {
      const both = await oblikAuditVerify(env);
      expect(both.code).toBe(1);
      expect(both.stdout).toContain(
        `TAMPERED: signed tree head of size ${head.tree_size}: the signature does not verify`,
      );
      await db
        .updateTable('tree_heads')
        .set({ root_hash: head.root_hash })
        .where('tree_size', '=', head.tree_size)
        .execute();
      const leaf = await oblikAuditVerify(env);
      expect(leaf.code).toBe(1);
      expect(leaf.stdout).toContain(
        `TAMPERED: leaf ${later.leaf_index} (audit event ${later.id}): unauthenticated: the row's MAC`,
      );
    } finally {
      await db.updateTable('audit_events').set({ result: later.result }).where('id', '=', later.id).execute();
      await db
        .updateTable('tree_heads')
        .set({ root_hash: head.root_hash })
        .where('tree_size', '=', head.tree_size)
        .execute();
    }
  });
});

/** Issue 9, point 6: what `verify` missed before: a cleared person, a forged row, a truncated log. */
describe.each(dialects)('the log verifier catches what it missed, on %s', (dialect) => {
  let engine: FaceEngine;
  let registry: Registry;
  let store: TestStore;
  let restart: (env?: Record<string, string>) => Promise<Registry>;
  let second: Registry | undefined;
  let env: Record<string, string>;
  let personId: string;
  const witnessFile = () => join(store.dataDir, 'transparency-witness.ndjson');
  const verify = async (): Promise<LogVerification> =>
    verifyLog(
      registry.repositories.transparency,
      registry.services.systemKeys,
      await new LogWitness(witnessFile()).heads(),
    );

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ registry, store, restart } = await startTestRegistry(dialect, engine));
    env = { ...store.env, OBLIK_LOG_LEVEL: 'silent' };
    const metro = await newRelyingParty(registry.app);
    const enrolled = await client(registry.app)(metro)('POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']));
    expect(enrolled.status).toBe(201);
    personId = enrolled.body.receipt.citizenId;
    await registry.services.transparency.integrate();
    for (const name of ['Venue', 'School', 'Parking']) {
      await newRelyingParty(registry.app, { name });
      await registry.services.transparency.integrate();
    }
  });
  afterAll(async () => {
    await second?.close();
    await registry?.close();
    await store?.dispose();
    await engine?.close();
  });

  it('a cleared person_id on an integrated row fails verification, naming the row', async () => {
    const db = registry.store.db;
    const row = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('person_id', '=', personId)
      .where('leaf_index', 'is not', null)
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    await db.updateTable('audit_events').set({ person_id: null }).where('id', '=', row.id).execute();
    try {
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.tampered).toMatchObject({ kind: 'leaf', leafIndex: row.leaf_index, auditEventId: row.id });
      const cli = await oblikAuditVerify(env);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain(`TAMPERED: leaf ${row.leaf_index} (audit event ${row.id}): unauthenticated`);
    } finally {
      await db.updateTable('audit_events').set({ person_id: personId }).where('id', '=', row.id).execute();
    }
    expect((await verify()).ok).toBe(true);
  });

  it('a row forged before integration is never integrated nor signed, and verify reports it', async () => {
    const db = registry.store.db;
    const { tree_size: before } = await db.selectFrom('log_state').select('tree_size').executeTakeFirstOrThrow();
    const forged = randomId('evt');
    const real = await db.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow();
    // A copy of a real row with another id (and its MAC, which does not cover the new id), and a row with none.
    const bare = randomId('evt');
    const content = {
      ...real,
      seq: undefined,
      leaf_index: null,
      leaf_hash: null,
      leaf_version: null,
      person_ref: null,
    };
    await db
      .insertInto('audit_events')
      .values({ ...content, id: forged, result: 'forged' })
      .execute();
    await db
      .insertInto('audit_events')
      .values({ ...content, id: bare, mac: null })
      .execute();
    expect((await verify()).tampered).toMatchObject({
      kind: 'leaf',
      leafIndex: null,
      auditEventId: forged,
      reason: expect.stringMatching(/^waiting for integration, which will refuse it: unauthenticated/),
    });
    // Integration refuses both: no leaf, no signed head over them.
    expect(await registry.services.transparency.integrate()).toBe(0);
    const rows = await db
      .selectFrom('audit_events')
      .select(['id', 'leaf_index', 'refusal'])
      .where('id', 'in', [forged, bare])
      .orderBy('seq')
      .execute();
    expect(rows).toEqual([
      { id: forged, leaf_index: null, refusal: expect.stringMatching(/^unauthenticated: the row's MAC/) },
      { id: bare, leaf_index: null, refusal: expect.stringMatching(/^unauthenticated: the row carries no MAC/) },
    ]);
    expect((await db.selectFrom('log_state').select('tree_size').executeTakeFirstOrThrow()).tree_size).toBe(before);
    expect((await verify()).tampered).toMatchObject({
      kind: 'leaf',
      leafIndex: null,
      auditEventId: forged,
      reason: expect.stringMatching(/^refused by integration, never in the log: unauthenticated/),
    });
    const cli = await oblikAuditVerify(env);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`TAMPERED: leaf (none) (audit event ${forged}): refused by integration`);
    await db.deleteFrom('audit_events').where('id', 'in', [forged, bare]).execute();
    expect((await verify()).ok).toBe(true);
  });

  it('a truncated log with its state set back fails verify against the witness and stops the server', async () => {
    const db = registry.store.db;
    const heads = await db.selectFrom('tree_heads').selectAll().orderBy('tree_size').execute();
    expect(heads.length).toBeGreaterThanOrEqual(3);
    const keep = heads[1]!.tree_size;
    expect((await verify()).ok).toBe(true);
    // Rows and heads past `keep` deleted, the state set back: the store alone is consistent again.
    await db.deleteFrom('audit_events').where('leaf_index', '>=', keep).execute();
    await db.deleteFrom('tree_heads').where('tree_size', '>', keep).execute();
    await sql`update log_state set tree_size = ${keep}`.execute(db);

    const cli = await oblikAuditVerify(env);
    expect(cli.code).toBe(1);
    // The first head the store no longer holds.
    expect(cli.stdout).toContain(
      `TAMPERED: the log: the witness saw a signed head of size ${heads[2]!.tree_size} (root ${heads[2]!.root_hash}) that the store does not hold`,
    );
    await expect(restart()).rejects.toThrow(/behind or differs from the last tree head this deployment signed/);

    // The operator accepts the store explicitly: audited, and the server starts again.
    const adopt = await oblikAudit(['adopt'], env);
    expect(adopt.code).toBe(0);
    expect(adopt.stdout).toContain(`adopted the store's log at size ${keep}`);
    second = await restart();
    await second.services.transparency.integrate();
    const adoption = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'transparency.adopt')
      .executeTakeFirstOrThrow();
    expect(adoption.leaf_index).toBe(keep);
    expect(JSON.parse(adoption.detail!)).toMatchObject({
      adopted: { treeSize: keep },
      witnessed: { treeSize: heads.at(-1)!.tree_size },
    });
    expect((await verify()).ok).toBe(true);
    expect((await oblikAuditVerify(env)).code).toBe(0);
  });
});
