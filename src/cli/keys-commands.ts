import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { composeStoreServices } from '../registry-services.js';
import { openStore } from '../db/connection.js';
import { migrateStore } from '../db/migrate.js';
import { readKeyStatus } from '../modules/keys/keys.service.js';
import { loadMasterKeyring, pruneKeyFile, rotateKeyFile, type MasterKeyring } from '../modules/keys/master-keyring.js';
import { newKey } from '../modules/keys/sealing.js';
import { systemClock } from '../ports/clock.js';
import { randomIds } from '../ports/ids.js';

/**
 * `oblik keys`: key management on the local store (the one the server's env vars name). Runs beside a live
 * server: templates record the key version that sealed them and data keys the master key that wraps them, so
 * every step below keeps every template readable throughout.
 */
export function keysCommands(program: Command, config: Config): void {
  const keys = program.command('keys').description('master and data keys, and administrator credentials');

  keys
    .command('status')
    .option('--json', 'print one JSON object')
    .description('data key versions per segment, their master key, and the templates each seals')
    .action(async (opts: { json?: boolean }) => {
      await withStore(config, async ({ keyring, repos }) => {
        const status = (await readKeyStatus(repos)).map((k) => ({
          ...k,
          masterKeyAvailable: keyring.byId(k.masterKeyId) !== undefined,
        }));
        if (opts.json) console.log(JSON.stringify({ activeMasterKey: keyring.active.id, keys: status }));
        else {
          console.log(`active master key ${keyring.active.id} (${keyring.source.kind})`);
          console.table(status);
        }
      });
    });

  keys
    .command('rotate-data')
    .requiredOption('--segment <id>', 'the segment whose data key to rotate')
    .description('make a fresh data key active for a segment and re-wrap its person keys and transform seeds under it')
    .action(async (opts: { segment: string }) => {
      await withStore(config, async ({ dataKeys, rewrap }) => {
        const version = await dataKeys.rotate(opts.segment);
        const moved = await rewrap(opts.segment);
        console.log(`segment ${opts.segment}: data key v${version} active; ${moved} person keys and seeds re-wrapped`);
      });
    });

  keys
    .command('rotate-master')
    .description('embedded default: add a fresh master key to the key file and re-wrap every data key under it')
    .action(async () => {
      if (config.keys.masterKey) {
        console.error(
          'the master key comes from OBLIK_MASTER_KEY: generate one with `oblik keys new-master`, set it as ' +
            'OBLIK_MASTER_KEY with the old one in OBLIK_RETIRED_MASTER_KEYS, then run `oblik keys rewrap` (or ' +
            'restart the servers one by one: each re-wraps at start)',
        );
        process.exit(2);
      }
      const { id } = rotateKeyFile(config.keys.keyFile);
      await withStore(config, async ({ dataKeys, systemKeys }) => {
        const n = await dataKeys.rewrapAll();
        const s = await systemKeys.rewrapAll();
        console.log(`master key ${id} active; ${n} data keys and ${s} system keys re-wrapped`);
      });
      pruneKeyFile(config.keys.keyFile);
    });

  keys
    .command('rewrap')
    .description('re-wrap every data key and system key under the active master key (after changing OBLIK_MASTER_KEY)')
    .action(async () => {
      await withStore(config, async ({ dataKeys, systemKeys }) => {
        const n = await dataKeys.rewrapAll();
        const s = await systemKeys.rewrapAll();
        console.log(`${n} data keys and ${s} system keys re-wrapped`);
      });
    });

  keys
    .command('new-master')
    .description('print a fresh random master key (base64) for OBLIK_MASTER_KEY')
    .action(() => {
      console.log(newKey().toString('base64'));
    });

  keys
    .command('issue-admin')
    .option('--name <name>', 'who the key is for', 'administrator')
    .description('issue an administrator API key on the local store (shown once)')
    .action(async (opts: { name: string }) => {
      await withStore(config, async ({ principals }) => {
        const { id, apiKey } = await principals.issueAdmin(opts.name);
        console.log(`administrator ${id}; API key (shown once):\n${apiKey}`);
      });
    });
}

/** The key tools work on the store's services as the server wires them (src/composition.ts), without an engine. */
async function withStore(
  config: Config,
  work: (services: Awaited<ReturnType<typeof composeStoreServices>> & { keyring: MasterKeyring }) => Promise<void>,
): Promise<void> {
  const store = openStore(config.database);
  try {
    await migrateStore(config.database, store.db);
    const keyring = loadMasterKeyring(config.keys);
    await work({ ...(await composeStoreServices(store.db, keyring, systemClock, randomIds)), keyring });
  } finally {
    await store.close();
  }
}
