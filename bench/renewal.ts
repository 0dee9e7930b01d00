/**
 * Renewable templates at registry scale (ISO/IEC 24745 re-keying and the probe's transform):
 *   npm run bench:renewal -- [--n 20000] [--dialect sqlite|postgres|both] [--queries 200] [--json]
 *
 * 0. The transform alone (no store): OrthogonalTransform.fromSeed and rekey at dim 512, apply per vector, and
 *    the CPU a re-key spends on one template without any SQL (unwrap the person key, open, move, seal): the
 *    ceiling a store-bound re-key can approach.
 * Per store (fresh, as test/stores.ts makes them; `both` skips PostgreSQL with a warning if it does not answer):
 * 1. Fills segment `moscow` with N templates written the way enrolment writes them (person row, person key
 *    minted and inserted, TemplateVault.seal under the active transform, templates row with transform_version
 *    set and key_version 0, a template_events 'added' row), in batched transactions, then times
 *    RenewalService.rekey(admin, 'moscow'): templates per second, and the time of each committed page of
 *    TemplateVault.moveSegment. Then checks that every template is under the new version, the old seed row is
 *    destroyed, the matcher holds only the new gallery, and a sample of stored vectors opens to exactly the
 *    new transform of its original (cosine ~1; and ~0 against the old transform of it).
 * 2. At N templates: 1:N through TemplateGalleries.identify (raw probe, transformed per gallery on every call)
 *    against Matcher.identify on the same gallery with a probe transformed beforehand, interleaved query by
 *    query, p50/p99 and their ratio; both must return the same candidates.
 * 3. Start-up: N legacy templates (from before renewable templates: raw, sealed under the segment data key,
 *    no person key, transform_version NULL) in segment `kazan`, then a freshly built set of services on the same
 *    store (cold caches, as after a restart) times RenewalService.settle(), and checks the moved vectors.
 *
 * The vectors are SYNTHETIC random unit vectors of dim 512: a re-key and an exact scan cost the same whatever
 * the vectors hold. The services are built from src/ as src/composition.ts wires them, without a face engine.
 * Timing on a shared machine is noisy: compare figures of one run side by side. The last line printed is one
 * JSON object; with --json it is the only output.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { composeStoreServices } from '../src/registry-services.js';
import { loadConfig, type Config } from '../src/config/config.js';
import { openStore } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Database } from '../src/db/schema.js';
import { newKey, open, seal, bytesToVector, vectorToBytes } from '../src/modules/keys/sealing.js';
import { loadMasterKeyring } from '../src/modules/keys/master-keyring.js';
import { OrthogonalTransform } from '../src/matcher/orthogonal-transform.js';
import type { CallContext } from '../src/modules/access/principal.js';
import { galleryOf } from '../src/modules/templates/galleries.js';
import type { PersonKeys } from '../src/modules/templates/person-keys.js';
import type { SealedTemplate } from '../src/modules/templates/template-vault.js';
import { isoNow, systemClock } from '../src/ports/clock.js';
import { randomIds } from '../src/ports/ids.js';
import { newTestStore, testDialects, type TestDialect } from '../test/stores.js';

const DIM = 512;
const MOSCOW = { segmentId: 'moscow', view: '' };
const KAZAN = { segmentId: 'kazan', view: '' };
const BATCH = 500;
const K = 10;
const MIN_SCORE = 0.5;
const MODEL_PACK = 'bench-synthetic@1';
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const SAMPLE = 16;

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '20000' },
    dialect: { type: 'string', default: 'both' },
    queries: { type: 'string', default: '200' },
    json: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});
const n = Number(values.n);
const queries = Number(values.queries);
const dialectArg = values.dialect;
if (
  !Number.isInteger(n) ||
  n < SAMPLE ||
  !Number.isInteger(queries) ||
  queries < 1 ||
  !['sqlite', 'postgres', 'both'].includes(dialectArg)
) {
  console.error(`usage: [--n N (at least ${SAMPLE})] [--dialect sqlite|postgres|both] [--queries Q] [--json]`);
  process.exit(2);
}
const say = (line: string) => {
  if (!values.json) console.log(line);
};

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN;
const round = (v: number, digits = 1) => Number(v.toFixed(digits));
const latency = (xs: number[], digits = 2) => ({
  p50: round(quantile(xs, 0.5), digits),
  p99: round(quantile(xs, 0.99), digits),
});
const perSecond = (count: number, ms: number) => Math.round(count / (ms / 1000));
const fmt = (v: number) => v.toLocaleString('en');

/** xorshift32 random unit vectors: cheap, and the same sequence in every run. */
function randomUnit(state: { s: number }): Float32Array {
  const v = new Float32Array(DIM);
  let s = state.s;
  let norm = 0;
  for (let i = 0; i < DIM; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const x = (s >>> 0) / 2147483648 - 1;
    v[i] = x;
    norm += x * x;
  }
  state.s = s;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < DIM; i++) v[i]! *= inv;
  return v;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

function timeEach(count: number, work: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    work(i);
    out.push(performance.now() - t);
  }
  return out;
}

// 0. The transform alone.
const seedTimes = timeEach(3, () => OrthogonalTransform.fromSeed(randomBytes(32), DIM));
const r1 = OrthogonalTransform.fromSeed(randomBytes(32), DIM);
const r2 = OrthogonalTransform.fromSeed(randomBytes(32), DIM);
const rekeyTimes = timeEach(3, () => OrthogonalTransform.rekey(r1, r2));
const mover = OrthogonalTransform.rekey(r1, r2);
const pureState = { s: 0x2545f491 };
const pureVectors = Array.from({ length: 2000 }, () => randomUnit(pureState));
timeEach(200, (i) => r1.apply(pureVectors[i]!)); // warm-up
const applyUs = timeEach(pureVectors.length, (i) => r1.apply(pureVectors[i]!)).map((ms) => ms * 1000);
// One moved template's CPU, as moveSegment spends it: unwrap the person key, open, move, seal (no SQL).
const dataKey = newKey();
const sealedRows = pureVectors.map((v, i) => {
  const key = newKey();
  return {
    wrapped: seal(dataKey, key, `k|${i}`),
    sealed: seal(key, vectorToBytes(r1.apply(v)), `t|${i}`),
  };
});
const moveOne = (i: number) => {
  const row = sealedRows[i]!;
  const key = open(dataKey, row.wrapped, `k|${i}`);
  const old = bytesToVector(open(key, row.sealed, `t|${i}`));
  seal(key, vectorToBytes(mover.apply(old)), `t2|${i}`);
};
timeEach(200, moveOne); // warm-up
const moveCpuUs = timeEach(sealedRows.length, moveOne).map((ms) => ms * 1000);
const transformFigures = {
  dim: DIM,
  fromSeedMs: seedTimes.map((ms) => round(ms, 0)),
  rekeyProductMs: rekeyTimes.map((ms) => round(ms, 0)),
  applyUs: latency(applyUs, 0),
  movedTemplateCpuUs: latency(moveCpuUs, 0),
  cpuCeilingTemplatesPerSecond: Math.round(1e6 / quantile(moveCpuUs, 0.5)),
};
say(`transform, dim ${DIM} (no store):`);
say(
  `  fromSeed ${transformFigures.fromSeedMs.join(' / ')} ms; rekey product R2·R1ᵀ ${transformFigures.rekeyProductMs.join(' / ')} ms; apply p50/p99 ${transformFigures.applyUs.p50}/${transformFigures.applyUs.p99} µs`,
);
say(
  `  one moved template without SQL (unwrap person key, open, apply, seal) p50/p99 ${transformFigures.movedTemplateCpuUs.p50}/${transformFigures.movedTemplateCpuUs.p99} µs: a ceiling of ${fmt(transformFigures.cpuCeilingTemplatesPerSecond)} templates/s on one core`,
);

/** The services a re-key needs, wired by src/composition.ts (no engine, no HTTP). */
async function openServices(config: Config) {
  const store = openStore(config.database);
  const { db } = store;
  await migrateToLatest(db);
  const core = await composeStoreServices(db, loadMasterKeyring(config.keys), systemClock, randomIds);
  await core.segments.ensure(config.registry.segments);
  await core.principals.bootstrapAdmin(ADMIN_KEY);
  const principal = await core.principals.authenticate(ADMIN_KEY);
  if (!principal) throw new Error('no bootstrap administrator');
  const admin: CallContext = { principal, requestId: randomIds.next('req') };
  return { ...core, store, db, admin };
}
type Services = Awaited<ReturnType<typeof openServices>>;

interface Enrolled {
  readonly personId: string;
  readonly raw: Float32Array;
}

/** N templates in `segmentId` as enrolment writes them, BATCH people per transaction; indexed once committed. */
async function enrolSynthetic(s: Services, segmentId: string, raws: readonly Float32Array[]): Promise<Enrolled[]> {
  const out: Enrolled[] = [];
  for (let start = 0; start < raws.length; start += BATCH) {
    const batch: { personId: string; key: Awaited<ReturnType<PersonKeys['mint']>>; sealed: SealedTemplate }[] = [];
    for (const raw of raws.slice(start, start + BATCH)) {
      const personId = randomIds.next('psn');
      const key = await s.personKeys.mint(personId, segmentId);
      const binding = { id: randomIds.next('tpl'), personId, segmentId, modelPack: MODEL_PACK, view: '' };
      batch.push({ personId, key, sealed: await s.vault.seal(binding, raw, key.key) });
      out.push({ personId, raw });
    }
    const at = isoNow(systemClock);
    await s.db.transaction().execute(async (tx) => {
      for (const version of new Set(batch.map((b) => b.sealed.transformVersion))) {
        await s.vault.guard(tx, batch.find((b) => b.sealed.transformVersion === version)!.sealed);
      }
      await insertPeople(
        tx,
        s.admin,
        segmentId,
        at,
        batch.map((b) => b.personId),
      );
      await tx
        .insertInto('person_keys')
        .values(batch.map((b) => b.key.row))
        .execute();
      await tx
        .insertInto('templates')
        .values(
          batch.map(({ personId, sealed }) => ({
            ...templateColumns(s.admin, at),
            id: sealed.indexed.templateId,
            person_id: personId,
            segment_id: segmentId,
            model_pack: MODEL_PACK,
            key_version: 0,
            transform_version: sealed.transformVersion,
            transform_view: '',
            sealed_vector: sealed.sealed,
          })),
        )
        .execute();
      await s.repos.templateEvents.append(
        tx,
        batch.map(({ personId, sealed }) => ({
          kind: 'added' as const,
          template_id: sealed.indexed.templateId,
          person_id: personId,
          segment_id: segmentId,
          at,
        })),
      );
    });
    for (const { sealed } of batch) if (!s.matcher.has(sealed.indexed.templateId)) s.matcher.add(sealed.indexed);
  }
  return out;
}

/**
 * N templates stored as before renewable templates: the raw vector sealed under the segment's data key, bound
 * as `oblik/template/v1|id|person|segment|modelPack` (TemplateVault's legacy binding), no person key.
 */
async function storeLegacy(s: Services, segmentId: string, raws: readonly Float32Array[]): Promise<Enrolled[]> {
  const out: Enrolled[] = [];
  const { version, key } = await s.dataKeys.active(segmentId);
  for (let start = 0; start < raws.length; start += BATCH) {
    const batch = raws.slice(start, start + BATCH).map((raw) => ({
      personId: randomIds.next('psn'),
      templateId: randomIds.next('tpl'),
      raw,
    }));
    const at = isoNow(systemClock);
    await s.db.transaction().execute(async (tx) => {
      await insertPeople(
        tx,
        s.admin,
        segmentId,
        at,
        batch.map((b) => b.personId),
      );
      await tx
        .insertInto('templates')
        .values(
          batch.map(({ personId, templateId, raw }) => ({
            ...templateColumns(s.admin, at),
            id: templateId,
            person_id: personId,
            segment_id: segmentId,
            model_pack: MODEL_PACK,
            key_version: version,
            transform_version: null,
            transform_view: '',
            sealed_vector: seal(
              key,
              vectorToBytes(raw),
              `oblik/template/v1|${templateId}|${personId}|${segmentId}|${MODEL_PACK}`,
            ),
          })),
        )
        .execute();
      await s.repos.templateEvents.append(
        tx,
        batch.map(({ personId, templateId }) => ({
          kind: 'added' as const,
          template_id: templateId,
          person_id: personId,
          segment_id: segmentId,
          at,
        })),
      );
    });
    out.push(...batch.map(({ personId, raw }) => ({ personId, raw })));
  }
  return out;
}

async function insertPeople(
  tx: Kysely<Database>,
  admin: CallContext,
  segmentId: string,
  at: string,
  personIds: string[],
): Promise<void> {
  await tx
    .insertInto('persons')
    .values(
      personIds.map((id) => ({
        id,
        segment_id: segmentId,
        status: 'active' as const,
        enrolled_by: admin.principal.id,
        created_at: at,
        deleted_at: null,
        birth_date: null,
      })),
    )
    .execute();
}

function templateColumns(admin: CallContext, at: string) {
  return {
    channel: 'bench',
    enrolled_by: admin.principal.id,
    quality: JSON.stringify({ score: 0.9 }),
    liveness: 0.99,
    created_at: at,
  };
}

/** Opens the stored template of each sampled person; cosine to the original under `transform`. */
async function storedAgainst(s: Services, segmentId: string, people: Enrolled[], transforms: OrthogonalTransform[]) {
  const scores = transforms.map(() => [] as number[]);
  for (const { personId, raw } of people) {
    const rows = await s.db
      .selectFrom('templates')
      .selectAll()
      .where('person_id', '=', personId)
      .where('segment_id', '=', segmentId)
      .execute();
    if (rows.length !== 1) throw new Error(`person ${personId} has ${rows.length} templates`);
    const stored = await s.vault.open(rows[0]!);
    if (!stored) throw new Error(`template of ${personId} does not open`);
    transforms.forEach((t, i) => scores[i]!.push(cosine(stored, t.apply(raw))));
  }
  return scores;
}

async function versionsOf(db: Kysely<Database>, segmentId: string) {
  const rows = await db
    .selectFrom('templates')
    .select(['transform_version', (eb) => eb.fn.countAll<number>().as('n')])
    .where('segment_id', '=', segmentId)
    .groupBy('transform_version')
    .execute();
  return Object.fromEntries(rows.map((r) => [String(r.transform_version), Number(r.n)]));
}

const sampleOf = (people: Enrolled[]) =>
  Array.from({ length: SAMPLE }, (_, i) => people[Math.floor(((i + 0.5) * people.length) / SAMPLE)]!);

async function benchStore(dialect: TestDialect) {
  const test = await newTestStore(dialect);
  const config = loadConfig({
    ...test.env,
    OBLIK_MASTER_KEY: randomBytes(32).toString('base64'),
    OBLIK_SEGMENTS: 'moscow:Moscow,kazan:Kazan',
    OBLIK_LOG_LEVEL: 'silent',
  });
  let s = await openServices(config);
  try {
    const state = { s: 0x9e3779b9 };
    // 1. Fill, then re-key.
    let t = performance.now();
    const people = await enrolSynthetic(
      s,
      'moscow',
      Array.from({ length: n }, () => randomUnit(state)),
    );
    const fillMs = performance.now() - t;
    const fromVersion = await s.transforms.activeVersion(MOSCOW);
    const oldTransform = await s.transforms.require(MOSCOW, fromVersion, DIM);

    // Each committed page of moveSegment, as RenewalService sees it (the wrapper only notes the time).
    const pages: { ms: number; moved: number }[] = [];
    const moveSegment = s.vault.moveSegment.bind(s.vault);
    let pageStart = 0;
    let matcherUpdateMs = 0;
    s.vault.moveSegment = (segmentId, to, moved) => {
      pageStart = performance.now();
      return moveSegment(segmentId, to, (changes) => {
        const now = performance.now();
        pages.push({ ms: now - pageStart, moved: changes.length });
        moved(changes);
        matcherUpdateMs += performance.now() - now;
        pageStart = performance.now();
      });
    };
    let probe = instrumentMove(s);
    let cpu = process.cpuUsage();
    t = performance.now();
    const rekey = await s.renewal.rekey(s.admin, 'moscow', { detail: { bench: true } });
    const rekeyMs = performance.now() - t;
    const rekeyCpuMs = cpuMs(process.cpuUsage(cpu));
    const lastQueryMs = performance.now() - pageStart; // the final, empty page query and the seed destruction
    s.vault.moveSegment = moveSegment;
    const rekeyBreakdown = probe.stop(rekeyMs, n, { 'matcher update': matcherUpdateMs });

    // Checks.
    const versions = await versionsOf(s.db, 'moscow');
    const oldRow = await s.db
      .selectFrom('segment_transforms')
      .selectAll()
      .where('segment_id', '=', 'moscow')
      .where('version', '=', fromVersion)
      .executeTakeFirstOrThrow();
    const newTransform = await s.transforms.require(MOSCOW, rekey.transformVersion, DIM);
    const [againstNew, againstOld] = await storedAgainst(s, 'moscow', sampleOf(people), [newTransform, oldTransform]);
    const checks = {
      moved: rekey.templatesMoved,
      versions,
      oldSeed: { state: oldRow.state, wrappedSeedNull: oldRow.wrapped_seed === null, destroyedAt: oldRow.destroyed_at },
      matcherGalleries: s.matcher.segments(),
      matcherSize: s.matcher.size(galleryOf('moscow', '', rekey.transformVersion)),
      sampleCosineNewMin: round(Math.min(...againstNew!), 6),
      sampleCosineOldMaxAbs: round(Math.max(...againstOld!.map(Math.abs)), 3),
    };
    const ok =
      rekey.templatesMoved === n &&
      rekey.destroyedVersions.includes(fromVersion) &&
      versions[String(rekey.transformVersion)] === n &&
      Object.keys(versions).length === 1 &&
      oldRow.state === 'destroyed' &&
      oldRow.wrapped_seed === null &&
      checks.matcherGalleries.length === 1 &&
      checks.matcherSize === n &&
      checks.sampleCosineNewMin > 0.99999;
    if (!ok) throw new Error(`re-key check failed: ${JSON.stringify(checks)}`);

    // How the page query itself behaves: every row pending (a fresh version number) against none pending.
    const pageQuery = (version: number) =>
      timeEachAsync(5, () => s.repos.templates.pendingForTransform(MOSCOW, version, '', 1000));
    const pageQueryAllPendingMs = quantile(await pageQuery(rekey.transformVersion + 1), 0.5);
    const pageQueryNonePendingMs = quantile(await pageQuery(rekey.transformVersion), 0.5);

    const pageMs = pages.map((p) => p.ms);
    const third = Math.max(1, Math.floor(pages.length / 3));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rekeyFigures = {
      templates: n,
      fillSeconds: round(fillMs / 1000, 2),
      fillTemplatesPerSecond: perSecond(n, fillMs),
      rekeySeconds: round(rekeyMs / 1000, 2),
      rekeyTemplatesPerSecond: perSecond(n, rekeyMs),
      pages: pages.length,
      pageMs: {
        first: round(pageMs[0] ?? NaN),
        p50: round(quantile(pageMs, 0.5)),
        max: round(Math.max(...pageMs)),
        meanFirstThird: round(mean(pageMs.slice(0, third))),
        meanLastThird: round(mean(pageMs.slice(-third))),
        afterLastPage: round(lastQueryMs),
      },
      pageQueryMs: { allPending: round(pageQueryAllPendingMs, 2), nonePending: round(pageQueryNonePendingMs, 2) },
      ofCpuCeiling: round(perSecond(n, rekeyMs) / transformFigures.cpuCeilingTemplatesPerSecond, 2),
      processCpuShare: round(rekeyCpuMs / rekeyMs, 2),
      pageSeries: pageMs.map((ms) => round(ms, 0)),
      perTemplateUs: rekeyBreakdown,
      checks,
    };
    say(`${dialect}, ${fmt(n)} synthetic templates (random unit vectors, dim ${DIM}) in moscow:`);
    say(
      `  filled as enrolment writes them in ${rekeyFigures.fillSeconds} s (${fmt(rekeyFigures.fillTemplatesPerSecond)} templates/s, ${BATCH} per transaction)`,
    );
    say(
      `  re-key v${fromVersion}→v${rekey.transformVersion}: ${fmt(n)} templates in ${rekeyFigures.rekeySeconds} s = ${fmt(rekeyFigures.rekeyTemplatesPerSecond)} templates/s (${rekeyFigures.ofCpuCeiling}x the no-SQL ceiling; this process busy ${round(rekeyFigures.processCpuShare * 100, 0)} % of the time)`,
    );
    say(
      `  ${pages.length} pages of ≤1000: first ${rekeyFigures.pageMs.first} ms, p50 ${rekeyFigures.pageMs.p50} ms, max ${rekeyFigures.pageMs.max} ms; mean first third ${rekeyFigures.pageMs.meanFirstThird} ms, last third ${rekeyFigures.pageMs.meanLastThird} ms; after the last page ${rekeyFigures.pageMs.afterLastPage} ms`,
    );
    say(`  per moved template, µs: ${describeBreakdown(rekeyBreakdown)}`);
    say(
      `  page query (pendingForTransform, limit 1000) p50: ${rekeyFigures.pageQueryMs.allPending} ms with every row pending, ${rekeyFigures.pageQueryMs.nonePending} ms with none`,
    );
    say(
      `  checks: all ${fmt(n)} under v${rekey.transformVersion} (${JSON.stringify(versions)}), v${fromVersion} ${oldRow.state} (seed ${oldRow.wrapped_seed === null ? 'null' : 'present'}), matcher galleries ${JSON.stringify(checks.matcherGalleries)}; ${SAMPLE} stored vectors vs new transform of their original: min cosine ${checks.sampleCosineNewMin}; vs old transform: max |cosine| ${checks.sampleCosineOldMaxAbs}`,
    );

    // 2. Probe cost of the transform at N templates.
    const gallery = galleryOf('moscow', '', rekey.transformVersion);
    const noiseState = { s: 0x1b873593 };
    const probes = Array.from({ length: queries }, (_, q) => {
      const source = people[Math.floor(((q + 0.5) * n) / queries)]!;
      const noise = randomUnit(noiseState);
      const v = source.raw.map((x, i) => x + noise[i]!);
      const norm = Math.hypot(...v);
      const raw = v.map((x) => x / norm);
      return { personId: source.personId, raw, transformed: newTransform.apply(raw) };
    });
    const options = { k: K, minScore: MIN_SCORE };
    const viaGalleries = (p: (typeof probes)[number]) => s.galleries.identify(['moscow'], MODEL_PACK, p.raw, options);
    const viaMatcher = (p: (typeof probes)[number]) =>
      s.matcher.identify([gallery], MODEL_PACK, p.transformed, options);
    for (const p of probes.slice(0, 5)) {
      await viaGalleries(p);
      viaMatcher(p);
    }
    const galleriesMs: number[] = [];
    const matcherMs: number[] = [];
    let mates = 0;
    let maxScoreDiff = 0;
    for (const [q, p] of probes.entries()) {
      // Alternate which goes first, so that neither always runs on a warmer cache.
      const runGalleries = async () => {
        const t0 = performance.now();
        const hits = await viaGalleries(p);
        galleriesMs.push(performance.now() - t0);
        return hits;
      };
      const runMatcher = () => {
        const t0 = performance.now();
        const hits = viaMatcher(p);
        matcherMs.push(performance.now() - t0);
        return hits;
      };
      let a;
      let b;
      if (q % 2 === 0) {
        a = await runGalleries();
        b = runMatcher();
      } else {
        b = runMatcher();
        a = await runGalleries();
      }
      if (a.map((h) => h.owner).join() !== b.map((h) => h.owner).join()) {
        throw new Error(`query ${q}: the two paths disagree`);
      }
      a.forEach((h, i) => (maxScoreDiff = Math.max(maxScoreDiff, Math.abs(h.score - b[i]!.score))));
      if (a[0]?.owner === p.personId) mates++;
    }
    const probeFigures = {
      templates: s.matcher.size(gallery),
      queries,
      k: K,
      minScore: MIN_SCORE,
      galleriesIdentifyMs: latency(galleriesMs, 3),
      matcherIdentifyMs: latency(matcherMs, 3),
      ratioP50: round(quantile(galleriesMs, 0.5) / quantile(matcherMs, 0.5), 3),
      ratioP99: round(quantile(galleriesMs, 0.99) / quantile(matcherMs, 0.99), 3),
      overheadP50Us: round((quantile(galleriesMs, 0.5) - quantile(matcherMs, 0.5)) * 1000, 0),
      mateFirst: round(mates / queries, 3),
      maxScoreDiff,
    };
    say(
      `  1:N at ${fmt(probeFigures.templates)} templates (top-${K}, minScore ${MIN_SCORE}, ${queries} probes, interleaved): TemplateGalleries.identify p50/p99 ${probeFigures.galleriesIdentifyMs.p50}/${probeFigures.galleriesIdentifyMs.p99} ms, Matcher.identify (probe transformed beforehand) ${probeFigures.matcherIdentifyMs.p50}/${probeFigures.matcherIdentifyMs.p99} ms`,
    );
    say(
      `  ratio p50 ${probeFigures.ratioP50}x, p99 ${probeFigures.ratioP99}x (p50 difference ${probeFigures.overheadP50Us} µs; apply alone p50 ${transformFigures.applyUs.p50} µs); same candidates on every query, max score difference ${probeFigures.maxScoreDiff.toExponential(1)}, mate first ${round(probeFigures.mateFirst * 100)} %`,
    );

    // 3. Start-up settle() of legacy templates, on a freshly built set of services (cold caches).
    t = performance.now();
    const legacy = await storeLegacy(
      s,
      'kazan',
      Array.from({ length: n }, () => randomUnit(state)),
    );
    const legacyFillMs = performance.now() - t;
    await s.store.close();
    s = await openServices(config);
    probe = instrumentMove(s);
    cpu = process.cpuUsage();
    t = performance.now();
    const settled = await s.renewal.settle();
    const settleMs = performance.now() - t;
    const settleCpuMs = cpuMs(process.cpuUsage(cpu));
    const settleBreakdown = probe.stop(settleMs, n);
    const kazanVersion = await s.transforms.activeVersion(KAZAN);
    const kazanVersions = await versionsOf(s.db, 'kazan');
    const personKeys = await s.db
      .selectFrom('person_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('segment_id', '=', 'kazan')
      .executeTakeFirstOrThrow();
    const kazanTransform = await s.transforms.require(KAZAN, kazanVersion, DIM);
    const [legacyAgainstNew] = await storedAgainst(s, 'kazan', sampleOf(legacy), [kazanTransform]);
    const settleChecks = {
      moved: settled,
      versions: kazanVersions,
      personKeys: Number(personKeys.n),
      sampleCosineMin: round(Math.min(...legacyAgainstNew!), 6),
    };
    if (
      settled !== n ||
      kazanVersions[String(kazanVersion)] !== n ||
      Object.keys(kazanVersions).length !== 1 ||
      settleChecks.personKeys !== n ||
      settleChecks.sampleCosineMin < 0.99999
    ) {
      throw new Error(`settle check failed: ${JSON.stringify(settleChecks)}`);
    }
    const settleFigures = {
      legacyTemplates: n,
      legacyFillSeconds: round(legacyFillMs / 1000, 2),
      settleSeconds: round(settleMs / 1000, 2),
      settleTemplatesPerSecond: perSecond(n, settleMs),
      processCpuShare: round(settleCpuMs / settleMs, 2),
      perTemplateUs: settleBreakdown,
      checks: settleChecks,
    };
    say(
      `  start-up settle(): ${fmt(n)} legacy templates in kazan (raw, segment key, no person key) moved into v${kazanVersion} in ${settleFigures.settleSeconds} s = ${fmt(settleFigures.settleTemplatesPerSecond)} templates/s (cold services: includes building the transform; this process busy ${round(settleFigures.processCpuShare * 100, 0)} % of the time); ${settleChecks.personKeys} person keys minted; ${SAMPLE} sampled vectors min cosine ${settleChecks.sampleCosineMin}`,
    );
    say(`  per settled template, µs: ${describeBreakdown(settleBreakdown)}`);
    return { rekey: rekeyFigures, probe: probeFigures, settle: settleFigures };
  } finally {
    await s.store.close();
    await test.dispose();
  }
}

/**
 * Times, during a re-key, the SQL calls TemplateVault.moveSegment makes (each wrapped call also notes its
 * duration, nothing else); `stop` restores them and returns µs per moved template for each (and for `more`,
 * measured by the caller), the rest being CPU (open, apply, seal), transaction begin/commit and the awaits.
 */
function instrumentMove(s: Services) {
  const spent = new Map<string, { calls: number; ms: number }>();
  const restore: (() => void)[] = [];
  const wrap = (target: object, method: string, label: string) => {
    const slots = target as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const own = Object.prototype.hasOwnProperty.call(target, method);
    const original = slots[method]!;
    const slot = { calls: 0, ms: 0 };
    spent.set(label, slot);
    slots[method] = async function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        slot.calls++;
        slot.ms += performance.now() - t;
      }
    };
    restore.push(() => {
      if (own) slots[method] = original;
      else delete slots[method];
    });
  };
  wrap(s.repos.templates, 'pendingForTransform', 'page query');
  wrap(s.personKeys, 'ofMany', 'person key select+unwrap');
  wrap(s.personKeys, 'insertMany', 'person key insert');
  wrap(s.repos.templates, 'deleteMany', 'template delete');
  wrap(s.repos.templates, 'insertMany', 'template insert');
  wrap(s.repos.templateEvents, 'append', 'events insert');
  wrap(s.transforms, 'require', 'transform build/lookup');
  return {
    stop(totalMs: number, templates: number, more: Record<string, number> = {}): Record<string, number> {
      for (const r of restore) r();
      const out: Record<string, number> = {};
      let accounted = 0;
      for (const [label, ms] of Object.entries(more)) spent.set(label, { calls: 1, ms });
      for (const [label, { calls, ms }] of spent) {
        if (calls === 0) continue;
        out[label] = round((ms * 1000) / templates, 0);
        accounted += ms;
      }
      out['rest'] = round(((totalMs - accounted) * 1000) / templates, 0);
      out['total'] = round((totalMs * 1000) / templates, 0);
      return out;
    },
  };
}

function describeBreakdown(b: Record<string, number>): string {
  return Object.entries(b)
    .map(([label, us]) => `${label} ${us}`)
    .join(', ');
}

/** user + system CPU of this process, in ms (all its threads: the SQLite driver runs on the main one). */
function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

async function timeEachAsync(count: number, work: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await work();
    out.push(performance.now() - t);
  }
  return out;
}

const available = await testDialects();
const wanted: TestDialect[] = dialectArg === 'both' ? available : [dialectArg as TestDialect];
if (!wanted.every((d) => available.includes(d))) {
  console.error(`PostgreSQL is not reachable (see test/stores.ts); run with --dialect sqlite`);
  process.exit(1);
}
const stores: Record<string, unknown> = {};
for (const dialect of wanted) stores[dialect] = await benchStore(dialect);

console.log(
  JSON.stringify({ n, dim: DIM, vectors: 'synthetic random unit vectors', transform: transformFigures, stores }),
);
