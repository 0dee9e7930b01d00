/**
 * Transparency log figures:
 *   npm run bench:transparency -- [--n 100000] [--json]
 *
 * 1. The Merkle tree alone (src/modules/transparency/merkle.ts) at N leaves: appends per second, memory per leaf, and the
 *    time of a root, an inclusion proof, a consistency proof and their RFC 9162 verifications.
 * 2. Per store (SQLite, and PostgreSQL when reachable, as the tests decide): N synthetic audit records inserted,
 *    then integrated by TransparencyLog.integrate() (leaves per second, person references, leaf hashes, signed
 *    heads, all in the store); the steady state (one record, then integrate); proofs through the service at N
 *    leaves (head lookup included); a cold instance's first proof (it reads every leaf hash); and the whole-log
 *    check of `oblik audit verify`.
 * Prints a summary and, last, one JSON line (with --json, only the JSON).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { openStore } from '../src/db/connection.js';
import { createTransactor } from '../src/db/executor.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Database } from '../src/db/schema.js';
import { loadMasterKeyring } from '../src/modules/keys/master-keyring.js';
import { SystemKeys } from '../src/modules/keys/system-keys.js';
import { AUDIT_ROW_MAC_KEY } from '../src/modules/audit/audit.service.js';
import { auditRowMac } from '../src/modules/transparency/audit-leaf.js';
import { LogWitness } from '../src/modules/transparency/witness.js';
import { verifyLog } from '../src/modules/transparency/log-verifier.js';
import { TransparencyLog } from '../src/modules/transparency/transparency.service.js';
import { systemClock } from '../src/ports/clock.js';
import { randomId } from '../src/ports/ids.js';
import { createRepositories } from '../src/repositories.js';
import { MerkleTree, leafHash, verifyConsistency, verifyInclusion } from '../src/modules/transparency/merkle.js';
import { newTestStore, testDialects } from '../test/stores.js';
import type { Insertable, Kysely } from 'kysely';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '100000' }, json: { type: 'boolean', default: false } },
  allowPositionals: false,
});
const n = Number(values.n);
if (!Number.isInteger(n) || n < 2) {
  console.error('usage: --n N (at least 2) [--json]');
  process.exit(2);
}
const say = (line: string) => {
  if (!values.json) console.log(line);
};

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN;
const round = (v: number, digits = 1) => Number(v.toFixed(digits));
const latency = (xs: number[], digits = 1) => ({
  p50: round(quantile(xs, 0.5), digits),
  p99: round(quantile(xs, 0.99), digits),
});
const pick = (below: number) => Math.floor(Math.random() * below);

function timeEach(count: number, work: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    work(i);
    out.push((performance.now() - t) * 1000);
  }
  return out;
}

async function timeEachAsync(count: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await work(i);
    out.push(performance.now() - t);
  }
  return out;
}

// 1. The tree alone.
const hashes = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`{"id":"evt_${i}","v":1}`)));
const tree = new MerkleTree();
let t = performance.now();
for (const h of hashes) tree.append(h);
const appendMs = performance.now() - t;
const bytesPerLeaf = tree.memoryBytes() / n;
const root = tree.root();
const rootUs = timeEach(1000, () => tree.root(n - pick(n / 2)));
const inclusionUs = timeEach(2000, () => tree.inclusionProof(pick(n), n));
const consistencyUs = timeEach(2000, () => tree.consistencyProof(1 + pick(n - 1), n));
const proofs = Array.from({ length: 500 }, () => pick(n)).map((i) => ({ i, path: tree.inclusionProof(i, n) }));
const verifyInclusionUs = timeEach(proofs.length, (k) => {
  if (!verifyInclusion(hashes[proofs[k]!.i]!, proofs[k]!.i, n, proofs[k]!.path, root)) throw new Error('bad proof');
});
const pairs = Array.from({ length: 500 }, () => 1 + pick(n - 1)).map((m) => ({
  m,
  proof: tree.consistencyProof(m, n),
}));
const verifyConsistencyUs = timeEach(pairs.length, (k) => {
  const { m, proof } = pairs[k]!;
  if (!verifyConsistency(m, n, tree.root(m), root, proof)) throw new Error('bad proof');
});
const treeFigures = {
  leaves: n,
  appendsPerSecond: Math.round(n / (appendMs / 1000)),
  bytesPerLeaf: round(bytesPerLeaf),
  rootUs: latency(rootUs),
  inclusionProofUs: latency(inclusionUs),
  consistencyProofUs: latency(consistencyUs),
  verifyInclusionUs: latency(verifyInclusionUs),
  verifyConsistencyUs: latency(verifyConsistencyUs),
  proofLength: proofs[0]!.path.length,
};
say(`Merkle tree, ${n.toLocaleString('en')} leaves (in memory):`);
say(`  append ${treeFigures.appendsPerSecond.toLocaleString('en')} leaves/s, ${treeFigures.bytesPerLeaf} B per leaf`);
say(
  `  root p50 ${treeFigures.rootUs.p50} µs; inclusion proof p50/p99 ${treeFigures.inclusionProofUs.p50}/${treeFigures.inclusionProofUs.p99} µs (${treeFigures.proofLength} hashes); consistency proof ${treeFigures.consistencyProofUs.p50}/${treeFigures.consistencyProofUs.p99} µs`,
);
say(
  `  verify inclusion p50 ${treeFigures.verifyInclusionUs.p50} µs, consistency p50 ${treeFigures.verifyConsistencyUs.p50} µs`,
);

// 2. Per store.
function auditRows(count: number, macKey: Buffer): Insertable<Database['audit_events']>[] {
  return Array.from({ length: count }, (_, i) => {
    const person = i % 2 === 0;
    const row = {
      id: randomId('evt'),
      at: new Date(1_764_000_000_000 + i).toISOString(),
      actor_id: randomId('rp'),
      actor_role: 'relying_party',
      action: person ? 'verification' : 'identification',
      purpose: 'transit_fare',
      segment_id: 'moscow',
      person_id: person ? randomId('psn') : null,
      template_id: person ? randomId('tpl') : null,
      result: person ? 'match' : 'no_match',
      score: person ? 0.8123 : null,
      request_id: randomId('req'),
      detail: JSON.stringify({ liveness: 0.97, segments: ['moscow'] }),
    };
    // Authenticated as the registry writes them, or integration would refuse them.
    return { ...row, mac: auditRowMac(macKey, row) };
  });
}

async function insertRows(db: Kysely<Database>, count: number, macKey: Buffer): Promise<void> {
  for (let done = 0; done < count; done += 500) {
    await db
      .insertInto('audit_events')
      .values(auditRows(Math.min(500, count - done), macKey))
      .execute();
  }
}

const stores: Record<string, unknown> = {};
for (const dialect of await testDialects()) {
  const test = await newTestStore(dialect);
  const config = loadConfig({ ...test.env, OBLIK_MASTER_KEY: randomBytes(32).toString('base64') });
  const store = openStore(config.database);
  try {
    await migrateToLatest(store.db);
    const repos = createRepositories(store.db);
    const transactions = createTransactor(store.db);
    const systemKeys = new SystemKeys(repos.systemKeys, loadMasterKeyring(config.keys), systemClock);
    const witness = new LogWitness(config.transparency.witnessFile);
    const log = new TransparencyLog(repos.transparency, transactions, systemKeys, systemClock, witness);
    await systemKeys.signingKey('transparency-log');
    await systemKeys.secret('audit-person-ref');
    const macKey = await systemKeys.secret(AUDIT_ROW_MAC_KEY);

    t = performance.now();
    await insertRows(store.db, n, macKey);
    const insertMs = performance.now() - t;
    t = performance.now();
    const integrated = await log.integrate();
    const integrateMs = performance.now() - t;
    if (integrated !== n) throw new Error(`integrated ${integrated} of ${n}`);

    const idleMs = await timeEachAsync(200, () => log.integrate());
    const steadyMs = await timeEachAsync(100, async () => {
      await insertRows(store.db, 1, macKey);
      await log.integrate();
    });
    const size = n + 100;
    const inclusionMs = await timeEachAsync(500, () => log.inclusionProof(pick(size)));
    const consistencyMs = await timeEachAsync(500, () => log.consistencyProof(1 + pick(size - 1)));
    const cold = new TransparencyLog(repos.transparency, transactions, systemKeys, systemClock, witness);
    t = performance.now();
    await cold.inclusionProof(0);
    const coldMs = performance.now() - t;
    t = performance.now();
    const verification = await verifyLog(repos.transparency, systemKeys);
    const verifyMs = performance.now() - t;
    if (!verification.ok) throw new Error(`verification failed: ${JSON.stringify(verification.tampered)}`);

    const figures = {
      leaves: size,
      insertRowsPerSecond: Math.round(n / (insertMs / 1000)),
      integrateLeavesPerSecond: Math.round(n / (integrateMs / 1000)),
      integrateSeconds: round(integrateMs / 1000, 2),
      idleIntegrateMs: latency(idleMs, 2),
      oneRecordIntegrateMs: latency(steadyMs, 2),
      inclusionProofMs: latency(inclusionMs, 2),
      consistencyProofMs: latency(consistencyMs, 2),
      coldFirstProofSeconds: round(coldMs / 1000, 2),
      verifyLeavesPerSecond: Math.round(size / (verifyMs / 1000)),
      verifySeconds: round(verifyMs / 1000, 2),
    };
    stores[dialect] = figures;
    say(`${dialect}, ${n.toLocaleString('en')} audit records:`);
    say(
      `  integrate ${figures.integrateLeavesPerSecond.toLocaleString('en')} leaves/s (${figures.integrateSeconds} s; insert ran at ${figures.insertRowsPerSecond.toLocaleString('en')} rows/s)`,
    );
    say(
      `  integrate with nothing waiting p50 ${figures.idleIntegrateMs.p50} ms; one record then integrate p50/p99 ${figures.oneRecordIntegrateMs.p50}/${figures.oneRecordIntegrateMs.p99} ms`,
    );
    say(
      `  at ${size.toLocaleString('en')} leaves: inclusion proof p50/p99 ${figures.inclusionProofMs.p50}/${figures.inclusionProofMs.p99} ms, consistency proof ${figures.consistencyProofMs.p50}/${figures.consistencyProofMs.p99} ms (service: integrate check + head + proof)`,
    );
    say(
      `  a cold instance's first proof ${figures.coldFirstProofSeconds} s; oblik audit verify ${figures.verifySeconds} s (${figures.verifyLeavesPerSecond.toLocaleString('en')} leaves/s)`,
    );
  } finally {
    await store.close();
    await test.dispose();
  }
}

console.log(JSON.stringify({ tree: treeFigures, stores }));
