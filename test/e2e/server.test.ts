import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { facePath } from '../datasets.js';
import { ADMIN_KEY } from '../registry.js';
import { newTestStore, testDialects, type TestStore } from '../stores.js';

const dialects = await testDialects();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const running = new Set<ChildProcess>();

/** Starts `src/main.ts` (what `npm start` runs, from source) and resolves with its URL and banner. */
function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; banner: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      // Port 0 for the API and the metrics: several servers (and other test runs) share this machine.
      env: {
        ...process.env,
        ...env,
        PORT: '0',
        OBLIK_METRICS_PORT: '0',
        OBLIK_ENGINE_THREADS: '1',
        OBLIK_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let banner = '';
    child.stdout.on('data', (d: Buffer) => {
      banner += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
      if (url && banner.includes('administrator')) resolve({ child, url, banner });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${banner}`)));
    running.add(child);
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, OBLIK_ENGINE_THREADS: '1', OBLIK_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe.each(dialects)('the server end to end on %s', (dialect) => {
  const stores: TestStore[] = [];
  afterAll(async () => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) await stop(child);
    for (const s of stores) await s.dispose();
  });

  it('starts, serves real HTTP (JSON and multipart), works with the CLI, stops cleanly and restarts with its data', async () => {
    const store = await newTestStore(dialect);
    stores.push(store);
    const env = { ...store.env, OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, OBLIK_SEGMENTS: 'moscow:Moscow' };
    const first = await startServer(env);
    expect(first.banner).toContain(
      dialect === 'sqlite' ? `sqlite: ${store.dataDir}/oblik.sqlite` : 'postgres: postgres://',
    );
    expect(first.banner).toContain(`master key ${store.dataDir}/master.key (created now)`);
    expect(first.banner).toContain('WARNING');
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const health = await fetch(`${first.url}/v1/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', store: dialect, templates: 0 });

    const rp = await fetch(`${first.url}/v1/relying-parties`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        name: 'Metro',
        purposes: ['transit_fare'],
        segments: ['moscow'],
        rights: ['enrol', 'verify', 'identify'],
      }),
    });
    const { apiKey } = (await rp.json()) as { apiKey: string };

    // Multipart enrolment over a real socket.
    const form = new FormData();
    form.set('segment', 'moscow');
    form.set('channel', 'city_app');
    form.set('consents', 'transit_fare');
    form.set('image', new Blob([await readFile(facePath('small', 'raj', 'raj1.png'))]), 'raj1.png');
    const enrolled = await fetch(`${first.url}/v1/persons`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
      body: form,
    });
    expect(enrolled.status).toBe(201);
    const { personId } = (await enrolled.json()) as { personId: string };

    // The CLI against the running server.
    const identified = await cli(
      ['identify', facePath('small', 'raj', 'raj2.png'), '--purpose', 'transit_fare', '--json', '--server', first.url],
      { ...env, OBLIK_API_KEY: apiKey },
    );
    expect(identified.code).toBe(0);
    expect(JSON.parse(identified.out).candidates[0].personId).toBe(personId);

    // Metrics are on their own port (printed in the banner), not the API's.
    const metricsUrl = /metrics\s+(http:\/\/\S+\/metrics)/.exec(first.banner)?.[1];
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await fetch(`${first.url}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(metricsUrl!)).text();
    expect(metrics).toMatch(
      /oblik_matcher_templates\{segment="moscow",view="",transform="1",model_pack="faceplugin-fr512@2"\} 1/,
    );
    expect(metrics).toMatch(/oblik_http_requests?_|oblik_http_request_duration_seconds_bucket/);
    expect(metrics).toContain('route="/v1/persons",status="201"');

    expect(await stop(first.child)).toBe(0);

    // Restarted, it loads the template from the store; the CLI also works in-process on the local store.
    const second = await startServer(env);
    expect(second.banner).toContain('templates  1 loaded');
    expect(await stop(second.child)).toBe(0);
    const local = await cli(
      ['verify', facePath('small', 'raj', 'raj3.png'), '--person', personId, '--purpose', 'transit_fare', '--json'],
      { ...env, OBLIK_API_KEY: apiKey },
    );
    expect(local.code).toBe(0);
    expect(JSON.parse(local.out)).toMatchObject({ match: true });
    const refused = await cli(
      ['verify', facePath('small', 'raj', 'raj3.png'), '--person', personId, '--purpose', 'parking', '--json'],
      { ...env, OBLIK_API_KEY: apiKey },
    );
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.out).error.code).toBe('auth.forbidden');
    // Several real processes (server, CLI) start and stop in turn: on a loaded 2-core machine this takes minutes.
  }, 300_000);
});
