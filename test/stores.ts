import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The stores every real-database suite runs on: SQLite always, PostgreSQL when reachable. Under CI=true an
 * unreachable PostgreSQL fails the run; elsewhere its suites skip with a visible message. Each call gets a
 * database of its own (a fresh PostgreSQL database, or a fresh SQLite file), dropped by `dispose`.
 */
export type TestDialect = 'sqlite' | 'postgres';

const ADMIN_URL = process.env['OBLIK_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The dialects to run on, decided once per test file. */
export async function testDialects(): Promise<TestDialect[]> {
  if (await postgresReachable()) return ['sqlite', 'postgres'];
  if (process.env['CI'] === 'true') {
    throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL}, and CI=true requires the PostgreSQL suites`);
  }
  console.warn(`\n*** PostgreSQL not reachable at ${ADMIN_URL}: its suites are SKIPPED (they run under CI=true) ***\n`);
  return ['sqlite'];
}

export interface TestStore {
  /** Environment for `loadConfig`: the data directory, and DATABASE_URL for PostgreSQL. */
  readonly env: Record<string, string>;
  readonly dataDir: string;
  dispose(): Promise<void>;
}

export async function newTestStore(dialect: TestDialect): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oblik-test-'));
  if (dialect === 'sqlite') {
    return {
      env: { OBLIK_DATA_DIR: dataDir },
      dataDir,
      dispose: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
    };
  }
  const name = `oblik_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    env: { OBLIK_DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    dataDir,
    async dispose() {
      // A closed pool's last connections may still be saying goodbye: wait for them rather than terminate them
      // (a terminated one reports an error into whichever test runs next), and force only as a last resort.
      for (let attempt = 0; ; attempt++) {
        try {
          await adminQuery(
            attempt < 50 ? `drop database if exists ${name}` : `drop database if exists ${name} with (force)`,
          );
          break;
        } catch (e) {
          if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
