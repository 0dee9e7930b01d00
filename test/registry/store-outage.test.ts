import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import { readFace } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { loadConfig } from '../../src/config/config.js';
import { buildRegistry } from '../../src/composition.js';
import { ADMIN_KEY, b64, client, newEnrolment, newRelyingParty } from '../registry.js';
import { newTestStore, testDialects, type TestStore } from '../stores.js';

/**
 * PostgreSQL going away under load: backends terminated with requests in flight, and a store that stops
 * answering altogether. The process stays up, in-flight calls get 503 store.unavailable (or succeed), nothing
 * hangs past the configured timeouts, and the server recovers by itself.
 */
const dialects = await testDialects();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN_URL = process.env['OBLIK_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await c.query(text, values);
  } finally {
    await c.end();
  }
}

/** `npm start` from source, on a port of its own; resolves once it has printed its banner. */
function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        PORT: '0',
        OBLIK_METRICS_PORT: 'off',
        OBLIK_ENGINE_THREADS: '1',
        OBLIK_LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let banner = '';
    child.stdout.on('data', (d: Buffer) => {
      banner += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
      if (url && banner.includes('administrator')) resolve({ child, url });
    });
    child.on('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}): ${banner}`)));
  });
}

type Outcome = { status: number; code?: string } | { failed: string };

async function call(url: string, key: string, method: string, path: string, body?: unknown): Promise<Outcome> {
  try {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const code = res.status >= 400 ? (JSON.parse(text) as { code?: string }).code : undefined;
    return code ? { status: res.status, code } : { status: res.status };
  } catch (e) {
    return { failed: (e as Error).message };
  }
}

describe.runIf(dialects.includes('postgres'))('a dropped PostgreSQL connection', () => {
  const stores: TestStore[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    for (const s of stores) await s.dispose();
  });

  it('pg_terminate_backend with requests in flight, 10 times: the process stays up and recovers', async () => {
    const store = await newTestStore('postgres');
    stores.push(store);
    const dbName = new URL(store.env['DATABASE_URL']!).pathname.slice(1);
    const { child, url } = await startServer({
      ...store.env,
      OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      OBLIK_SEGMENTS: 'moscow:Moscow',
      OBLIK_DATABASE_POOL_SIZE: '6',
    });
    children.push(child);
    const party = await call(url, ADMIN_KEY, 'POST', '/v1/relying-parties', {
      name: 'Metro',
      purposes: ['transit_fare'],
      segments: ['moscow'],
      rights: ['enrol', 'verify', 'identify'],
    });
    expect(party).toMatchObject({ status: 201 });
    const metroKey = (
      (await (
        await fetch(`${url}/v1/relying-parties`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            name: 'Metro 2',
            purposes: ['transit_fare'],
            segments: ['moscow'],
            rights: ['enrol', 'identify'],
          }),
        })
      ).json()) as { apiKey: string }
    ).apiKey;
    expect(await call(url, metroKey, 'POST', '/v1/persons', await newEnrolment(['amy', 'amy1.png']))).toMatchObject({
      status: 201,
    });
    const probe = b64(await readFace('small', 'amy', 'amy2.png'));
    const other = await newEnrolment(['penny', 'penny1.png']);

    const outcomes: Outcome[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      const inFlight = Array.from({ length: 12 }, (_, i) =>
        i % 4 === 0
          ? call(url, metroKey, 'POST', '/v1/identifications', { purpose: 'transit_fare', image: probe })
          : i % 4 === 1
            ? call(url, metroKey, 'POST', '/v1/persons', other)
            : i % 4 === 2
              ? call(url, ADMIN_KEY, 'GET', '/v1/audit-events?limit=200')
              : call(url, ADMIN_KEY, 'GET', '/v1/segments'),
      );
      await new Promise((r) => setTimeout(r, 20 + attempt * 15));
      await admin('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [dbName]);
      outcomes.push(...(await Promise.all(inFlight)));
      expect([attempt, child.exitCode, child.signalCode]).toEqual([attempt, null, null]);
    }
    // Every in-flight call got an answer: a success, a refusal of its own, or 503 store.unavailable. None saw
    // a closed socket or a 500.
    const failed = outcomes.filter((o) => 'failed' in o);
    expect(failed).toEqual([]);
    const answered = outcomes as { status: number; code?: string }[];
    expect(answered.filter((o) => o.status >= 500 && o.code !== 'store.unavailable')).toEqual([]);
    expect(answered.filter((o) => o.code === 'store.unavailable').length).toBeGreaterThan(0);

    // Later requests succeed without a restart.
    await new Promise((r) => setTimeout(r, 200));
    expect(await call(url, ADMIN_KEY, 'GET', '/v1/segments')).toEqual({ status: 200 });
    expect(await call(url, metroKey, 'POST', '/v1/identifications', { purpose: 'transit_fare', image: probe })).toEqual(
      {
        status: 200,
      },
    );
    expect([child.exitCode, child.signalCode]).toEqual([null, null]);
  });
});

/** A TCP relay to PostgreSQL that can stop relaying while keeping every socket open: a black-holed store. */
class BlackHole {
  private server: Server;
  private sockets = new Set<Socket>();
  blocked = false;

  constructor(target: { host: string; port: number }) {
    this.server = createServer((inbound) => {
      this.sockets.add(inbound);
      if (this.blocked) return; // accepted, never answered
      const outbound = connect(target.port, target.host);
      this.sockets.add(outbound);
      inbound.on('data', (d) => {
        if (!this.blocked) outbound.write(d);
      });
      outbound.on('data', (d) => {
        if (!this.blocked) inbound.write(d);
      });
      const close = () => {
        inbound.destroy();
        outbound.destroy();
      };
      inbound.on('close', close).on('error', close);
      outbound.on('close', close).on('error', close);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port)),
    );
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe.runIf(dialects.includes('postgres'))('a black-holed PostgreSQL store', () => {
  let engine: FaceEngine;
  let hole: BlackHole;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await hole?.close();
    await engine?.close();
  });

  it('answers 503 store.unavailable within the configured timeouts, then recovers', async () => {
    const target = new URL(ADMIN_URL);
    hole = new BlackHole({ host: target.hostname, port: Number(target.port || 5432) });
    const port = await hole.listen();
    // The test store's own database, reached through the relay.
    const store = await newTestStore('postgres');
    const viaHole = new URL(store.env['DATABASE_URL']!);
    viaHole.host = `127.0.0.1:${port}`;
    const r2 = await buildRegistry(
      loadConfig({
        ...store.env,
        DATABASE_URL: viaHole.toString(),
        OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        OBLIK_LOG_LEVEL: 'silent',
        OBLIK_SEGMENTS: 'moscow:Moscow',
        OBLIK_DATABASE_CONNECT_TIMEOUT_MS: '1000',
        OBLIK_DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      }),
      { engine },
    );
    try {
      const api = client(r2.app)(ADMIN_KEY);
      expect((await api('GET', '/v1/segments')).status).toBe(200);

      hole.blocked = true;
      const started = Date.now();
      const replies = await Promise.all(Array.from({ length: 8 }, () => api('GET', '/v1/segments')));
      const took = Date.now() - started;
      for (const r of replies) expect([r.status, r.body.code]).toEqual([503, 'store.unavailable']);
      // Statement timeout (1 s) plus the client's grace (2 s), with room for a slow machine; never unbounded.
      expect(took).toBeLessThan(10_000);

      hole.blocked = false;
      expect((await api('GET', '/v1/segments')).status).toBe(200);
      // Writes too: a new relying party is stored and can call.
      expect((await client(r2.app)(await newRelyingParty(r2.app))('GET', '/v1/segments')).status).toBe(200);
    } finally {
      await r2.close();
      await store.dispose();
    }
  });
});
