import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { openStore } from '../db/connection.js';
import { loadMasterKeyring } from '../modules/keys/master-keyring.js';
import { SystemKeys } from '../modules/keys/system-keys.js';
import { verifyLog, type LogVerification } from '../modules/transparency/log-verifier.js';
import { adoptStoreLog } from '../modules/transparency/adoption.js';
import { LogWitness } from '../modules/transparency/witness.js';
import { migrateStore } from '../db/migrate.js';
import { systemClock } from '../ports/clock.js';
import { randomIds } from '../ports/ids.js';
import { composeStoreServices } from '../registry-services.js';
import { createRepositories } from '../repositories.js';

/** Exit statuses of `oblik audit verify`: verified, tampered, could not verify (configuration or store). */
export const VERIFY_OK = 0;
export const VERIFY_TAMPERED = 1;
export const VERIFY_FAILED = 2;

/**
 * `oblik audit`: the audit trail's transparency log, checked on the store the server's env vars name.
 */
export function auditCommands(program: Command, config: Config): void {
  const audit = program.command('audit').description('the audit trail and its transparency log');
  audit
    .command('verify')
    .option('--json', 'print one JSON object')
    .description(
      'check the whole transparency log: recompute every leaf and the tree, check every signed tree head and ' +
        'the consistency between them; exit 0 if intact, 1 naming the first tampered entry',
    )
    .action(async (opts: { json?: boolean }) => {
      const code = await runAuditVerify(config, { json: Boolean(opts.json) });
      if (code !== VERIFY_OK) process.exit(code);
    });
  audit
    .command('adopt')
    .description(
      "accept the store's transparency log as it is when it is behind the witness (an older store restored on " +
        'purpose): appends an adoption to the witness file and records it in the audit trail',
    )
    .action(async () => {
      const store = openStore(config.database);
      try {
        await migrateStore(config.database, store.db);
        const core = await composeStoreServices(store.db, loadMasterKeyring(config.keys), systemClock, randomIds);
        const witness = new LogWitness(config.transparency.witnessFile);
        const { witnessed, adopted } = await adoptStoreLog(core.repos.transparency, core.audit, witness, systemClock);
        console.log(
          `adopted the store's log at size ${adopted.treeSize} (root ${adopted.rootHash}); the witness had seen ` +
            (witnessed ? `size ${witnessed.treeSize} (root ${witnessed.rootHash})` : 'no head') +
            `; recorded in ${witness.file} and in the audit trail`,
        );
      } finally {
        await store.close();
      }
    });
}

/** Runs the verification and prints its outcome; returns the exit status. Never changes the store. */
export async function runAuditVerify(
  config: Config,
  opts: { json: boolean },
  print: (line: string) => void = console.log,
): Promise<number> {
  if (!config.keys.masterKey && !existsSync(config.keys.keyFile)) {
    print(`cannot verify: no master key (OBLIK_MASTER_KEY is unset and ${config.keys.keyFile} does not exist)`);
    return VERIFY_FAILED;
  }
  const store = openStore(config.database);
  let report: LogVerification;
  try {
    const keyring = loadMasterKeyring(config.keys);
    const repos = createRepositories(store.db);
    const witnessed = await new LogWitness(config.transparency.witnessFile).heads();
    report = await verifyLog(repos.transparency, new SystemKeys(repos.systemKeys, keyring, systemClock), witnessed);
  } catch (e) {
    print(`cannot verify: ${e instanceof Error ? e.message : String(e)}`);
    return VERIFY_FAILED;
  } finally {
    await store.close();
  }
  if (opts.json) print(JSON.stringify(report));
  else for (const line of describe(report)) print(line);
  return report.ok ? VERIFY_OK : VERIFY_TAMPERED;
}

function describe(report: LogVerification): string[] {
  const counts = `${report.leaves} leaves, ${report.heads} signed tree heads, ${report.pending} audit records pending integration`;
  const latest = report.latest
    ? `latest verified tree head: size ${report.latest.treeSize}, root ${report.latest.rootHash}, signed ` +
      `${new Date(report.latest.timestamp).toISOString()} by key ${report.latest.keyId}`
    : 'no signed tree head yet';
  const t = report.tampered;
  if (!t) return [`transparency log verified: ${counts}`, latest];
  let entry: string;
  switch (t.kind) {
    case 'leaf':
      entry =
        `leaf ${t.leafIndex ?? '(none)'}` + (t.auditEventId ? ` (audit event ${t.auditEventId})` : ' (no audit event)');
      break;
    case 'head':
      entry = `signed tree head of size ${t.treeSize}`;
      break;
    case 'log':
      entry = 'the log';
      break;
  }
  return [`TAMPERED: ${entry}: ${t.reason}`, `verified before it: ${counts}`, latest];
}
