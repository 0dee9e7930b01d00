/**
 * Time per telecom application through the HTTP layer (routes, schemas, the registry's authorisation, the
 * engine, OCR, the store and the audit), per store, with the engine's own capture time beside it so the cost
 * of each application shows as a ratio: a contract signed with the MRZ as text by a new subscriber (1:N search,
 * then enrolment) and by a known one (1:N search only), with a photographed passport (OCR and the portrait
 * 1:1 on top), an ending (1:1) and a port request (1:N). Faces are the bundled live test people (liveness is
 * required); documents are rendered in OCR-B.
 * Usage: npm run bench:telecom -- [--rounds 3] [--json]; the last line printed is one JSON object.
 * PostgreSQL is included when the test default (OBLIK_TEST_POSTGRES_URL) answers.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { buildRegistry } from '../src/composition.js';
import { FaceEngine } from '../src/biometrics/face-engine.js';
import { readFace } from '../test/datasets.js';
import { renderPassport } from '../test/documents/document-image.js';
import { buildMrz, newFields } from '../test/documents/mrz-builder.js';
import { LIVE_FACES } from '../test/registry.js';
import { newTestStore, testDialects } from '../test/stores.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, json: { type: 'boolean' } } });
const rounds = Number(values.rounds);
const ADMIN = 'bench-admin-key-0123456789abcdef';
const people = Object.entries(LIVE_FACES).filter(([, files]) => files.length >= 3);

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN;
const round = (v: number) => Math.round(v);
const summary = (xs: number[]) => ({ p50: round(quantile(xs, 0.5)), p95: round(quantile(xs, 0.95)), n: xs.length });
const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;

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
      OBLIK_TELECOM_MAX_CONTRACTS: '1000',
      OBLIK_PORTING_NOTICE_MINUTES: '1',
      OBLIK_RATE_LIMIT_MAX: '100000',
    }),
    { engine },
  );
  const call = async (key: string, url: string, payload: object) => {
    const r = await registry.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}` }, payload });
    return { status: r.statusCode, body: r.json<Record<string, unknown>>() };
  };
  const operator = async (name: string) => {
    const rp = await call(ADMIN, '/v1/relying-parties', {
      name,
      purposes: ['telecom_contract'],
      segments: ['moscow'],
      rights: ['enrol', 'verify', 'identify'],
    });
    return rp.body['apiKey'] as string;
  };
  const [donor, recipient] = [await operator('donor'), await operator('recipient')];
  const t = { signNew: [], signKnown: [], signImage: [], ending: [], port: [], engine: [] } as Record<string, number[]>;
  let number = 0;
  const msisdn = () => `+7701${String(++number).padStart(7, '0')}`;
  const must = (r: { status: number; body: unknown }, status: number) => {
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r;
  };
  for (const [i, [name, [folder, ...files]]] of people.entries()) {
    const photos = await Promise.all(files.map((f) => readFace('small', folder, f)));
    const live = (n: number) => photos[n % photos.length]!.toString('base64');
    const fields = newFields({ surname: name.toUpperCase(), documentNumber: `N${String(10_000_000 + i)}` });
    const mrz = buildMrz(fields).join('\n');
    t['engine']!.push((await timed(() => engine.capture(photos[1]!, { requireLiveness: true })))[1]);
    const [first, newMs] = await timed(() =>
      call(donor, '/v1/telecom/contracts', { document: { mrz }, image: live(0), msisdn: msisdn() }),
    );
    must(first, 201);
    t['signNew']!.push(newMs);
    for (let r = 0; r < rounds; r++) {
      const payload = { document: { mrz }, image: live(r + 1), msisdn: msisdn() };
      const [signed, ms] = await timed(() => call(donor, '/v1/telecom/contracts', payload));
      t['signKnown']!.push(must(signed, 201) && ms);
      const id = signed.body['contractId'] as string;
      const effectiveAt = new Date(Date.now() + 86_400_000).toISOString();
      const ending = { image: live(r + 2), effectiveAt };
      t['ending']!.push((await timed(() => call(donor, `/v1/telecom/contracts/${id}/termination`, ending)))[1]);
    }
    const passport = (await renderPassport(fields, photos[0]!)).image.toString('base64');
    const [byImage, imageMs] = await timed(() =>
      call(donor, '/v1/telecom/contracts', { document: { image: passport }, image: live(1), msisdn: msisdn() }),
    );
    // An OCR read the second reader does not confirm is refused (document.unreadable): timed apart.
    if (byImage.status === 201) t['signImage']!.push(imageMs);
    const port = { msisdn: first.body['msisdn'], image: live(2), document: { mrz } };
    const [ported, portMs] = await timed(() => call(recipient, '/v1/telecom/port-requests', port));
    t['port']!.push(must(ported, 202) && portMs);
  }
  const engineP50 = quantile(t['engine']!, 0.5);
  results[dialect] = {
    ...Object.fromEntries(Object.entries(t).map(([k, xs]) => [k, summary(xs)])),
    perEngineCaptureP50: Object.fromEntries(
      Object.entries(t)
        .filter(([k]) => k !== 'engine')
        .map(([k, xs]) => [k, ratio(quantile(xs, 0.5), engineP50)]),
    ),
  };
  await registry.close();
  await store.dispose();
}
await engine.close();

if (!values.json) {
  console.log(
    `time per telecom application, ms (one engine worker, one OCR worker per engine; ${people.length} people)`,
  );
  for (const [dialect, r] of Object.entries(results)) console.log(dialect, JSON.stringify(r, null, 1));
}
console.log(JSON.stringify({ people: people.length, rounds, results }));
