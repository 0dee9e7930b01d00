/**
 * Registry latency through the HTTP layer (Fastify inject: routing, schemas, authorisation, engine, store,
 * audit), per store: enrolment, 1:1 verification and 1:N identification of real faces, with the engine's own
 * time beside it so the registry's overhead shows as a ratio.
 * Usage: npm run bench:registry -- --dataset ../shared/datasets/faces/lfw-dev [--limit 100] [--json]
 * PostgreSQL is included when OBLIK_BENCH_POSTGRES_URL (or the test default) answers.
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../src/config/config.js';
import { buildRegistry } from '../src/composition.js';
import { FaceEngine } from '../src/biometrics/face-engine.js';
import { newTestStore, testDialects } from '../test/stores.js';
import { benchArgs } from './lib/args.js';
import { listDataset } from './lib/dataset.js';

const { dataset, limit, json } = benchArgs();
const people = new Map<string, string[]>();
for (const img of listDataset(dataset, Number.isFinite(limit) ? limit : 100)) {
  people.set(img.identity, [...(people.get(img.identity) ?? []), img.path]);
}
const pairs = [...people.values()].filter((p) => p.length >= 2).map((p) => [p[0]!, p[1]!] as const);
const ADMIN = 'bench-admin-key-0123456789abcdef';

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN;
const summary = (xs: number[]) => ({ p50: round(quantile(xs, 0.5)), p95: round(quantile(xs, 0.95)), n: xs.length });
const round = (v: number) => Math.round(v * 10) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await work();
  return [r, performance.now() - t];
}

const engine = await FaceEngine.start({ ...loadConfig().engine, threads: 1 });
const results: Record<string, unknown> = {};
for (const dialect of await testDialects()) {
  const store = await newTestStore(dialect);
  const registry = await buildRegistry(
    loadConfig({
      ...store.env,
      OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN,
      OBLIK_SEGMENTS: 'moscow:Moscow',
      OBLIK_LOG_LEVEL: 'silent',
    }),
    { engine },
  );
  const call = async (key: string, url: string, payload: object) => {
    const r = await registry.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}` }, payload });
    return { status: r.statusCode, body: r.json<Record<string, unknown>>() };
  };
  const rp = await call(ADMIN, '/v1/relying-parties', {
    name: 'bench',
    purposes: ['transit_fare'],
    segments: ['moscow'],
    rights: ['enrol', 'verify', 'identify'],
  });
  const key = rp.body['apiKey'] as string;
  const t = { enrol: [] as number[], verify: [] as number[], identify: [] as number[], engine: [] as number[] };
  const enrolled: [string, string][] = [];
  for (const [first, second] of pairs) {
    const image = await readFile(first);
    const [, engineMs] = await timed(() => engine.capture(image, { requireLiveness: false }).catch(() => null));
    t.engine.push(engineMs);
    const [r, ms] = await timed(() =>
      call(key, '/v1/persons', {
        segment: 'moscow',
        channel: 'kiosk',
        consents: ['transit_fare'],
        image: image.toString('base64'),
      }),
    );
    if (r.status !== 201) continue;
    t.enrol.push(ms);
    enrolled.push([r.body['personId'] as string, second]);
  }
  for (const [personId, probe] of enrolled) {
    const image = (await readFile(probe)).toString('base64');
    t.verify.push((await timed(() => call(key, '/v1/verifications', { personId, purpose: 'transit_fare', image })))[1]);
    t.identify.push((await timed(() => call(key, '/v1/identifications', { purpose: 'transit_fare', image })))[1]);
  }
  const engineP50 = quantile(t.engine, 0.5);
  results[dialect] = {
    enrol: summary(t.enrol),
    verify: summary(t.verify),
    identify: summary(t.identify),
    engineCapture: summary(t.engine),
    overheadP50: {
      enrol: ratio(quantile(t.enrol, 0.5), engineP50),
      verify: ratio(quantile(t.verify, 0.5), engineP50),
      identify: ratio(quantile(t.identify, 0.5), engineP50),
    },
  };
  await registry.close();
  await store.dispose();
}
await engine.close();

if (json) console.log(JSON.stringify({ pairs: pairs.length, results }));
else {
  console.log(`registry latency, ms (one engine worker; ${pairs.length} identities of ${dataset})`);
  for (const [dialect, r] of Object.entries(results)) console.log(dialect, JSON.stringify(r, null, 1));
}
