import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { buildRegistry } from '../composition.js';
import { openStore } from '../db/connection.js';
import { migrateStore } from '../db/migrate.js';
import { serve } from '../server.js';
import { httpTransport, inProcessTransport, type ApiReply } from './api-transport.js';

/** Exit status when the registry refuses a request (its error code is printed). */
const EXIT_REFUSED = 3;

interface RemoteOptions {
  server?: string;
  apiKey?: string;
  json?: boolean;
}

/**
 * `serve`, `migrate`, and the API commands `enrol`, `verify` and `identify`, which run against a server
 * (`--server URL` or OBLIK_SERVER_URL) or, without one, in-process against the local store.
 */
export function registryCommands(program: Command, config: Config, env: Record<string, string | undefined>): void {
  program
    .command('serve')
    .description('start the registry server (as `npm start`)')
    .action(async () => {
      await serve(config);
    });

  program
    .command('migrate')
    .option('--json', 'print one JSON object')
    .description('apply pending database migrations to the configured store')
    .action(async (opts: { json?: boolean }) => {
      const store = openStore(config.database);
      try {
        const results = await migrateStore(config.database, store.db);
        const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
        if (opts.json) console.log(JSON.stringify({ store: store.dialect, location: store.location, applied }));
        else console.log(`${store.dialect} ${store.location}: ${applied.length ? applied.join(', ') : 'up to date'}`);
      } finally {
        await store.close();
      }
    });

  const withApi = (command: Command) =>
    command
      .option('--server <url>', 'a running server (default: OBLIK_SERVER_URL, else the local store)')
      .option('--api-key <key>', 'the relying party key (default: OBLIK_API_KEY)')
      .option('--json', 'print the JSON answer');

  withApi(
    program
      .command('enrol')
      .alias('enroll')
      .argument('<image>', 'a face image')
      .requiredOption('--segment <id>', 'the segment to enrol in')
      .option('--channel <channel>', 'where the face was captured', 'cli')
      .option('--consent <purpose...>', 'purposes the person agrees to', [])
      .description('enrol a person (searched 1:N against the segment first)'),
  ).action(async (image: string, opts: RemoteOptions & { segment: string; channel: string; consent: string[] }) => {
    await call(config, env, opts, 'POST', '/v1/persons', {
      segment: opts.segment,
      channel: opts.channel,
      consents: opts.consent,
      image: await base64(image),
    });
  });

  withApi(
    program
      .command('verify')
      .argument('<image>', 'a face image')
      .requiredOption('--person <id>', 'the claimed person')
      .requiredOption('--purpose <purpose>', 'why the face is used')
      .description('1:1: is this the claimed person?'),
  ).action(async (image: string, opts: RemoteOptions & { person: string; purpose: string }) => {
    await call(config, env, opts, 'POST', '/v1/verifications', {
      personId: opts.person,
      purpose: opts.purpose,
      image: await base64(image),
    });
  });

  withApi(
    program
      .command('identify')
      .argument('<image>', 'a face image')
      .requiredOption('--purpose <purpose>', 'why the face is used')
      .option('--segment <id>', 'search only this segment')
      .option('--limit <n>', 'at most this many candidates')
      .description('1:N: who is this, among people who consented to the purpose?'),
  ).action(async (image: string, opts: RemoteOptions & { purpose: string; segment?: string; limit?: string }) => {
    await call(config, env, opts, 'POST', '/v1/identifications', {
      purpose: opts.purpose,
      image: await base64(image),
      ...(opts.segment ? { segment: opts.segment } : {}),
      ...(opts.limit ? { limit: Number(opts.limit) } : {}),
    });
  });
}

async function base64(path: string): Promise<string> {
  try {
    return (await readFile(path)).toString('base64');
  } catch (e) {
    console.error(`error request.invalid: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    process.exit(EXIT_REFUSED);
  }
}

async function call(
  config: Config,
  env: Record<string, string | undefined>,
  opts: RemoteOptions,
  method: 'POST',
  path: string,
  body: unknown,
): Promise<void> {
  const apiKey = opts.apiKey ?? env['OBLIK_API_KEY'];
  if (!apiKey) {
    console.error('error auth.unauthorized: give --api-key or set OBLIK_API_KEY');
    process.exit(EXIT_REFUSED);
  }
  const server = opts.server ?? env['OBLIK_SERVER_URL'];
  let reply: ApiReply;
  if (server) {
    reply = await httpTransport(server, apiKey)(method, path, body);
  } else {
    const local = await buildRegistry({ ...config, server: { ...config.server, logLevel: 'silent' } });
    try {
      reply = await inProcessTransport(local.app, apiKey)(method, path, body);
    } finally {
      await local.close();
    }
  }
  print(reply, Boolean(opts.json));
  if (reply.status >= 400) process.exit(EXIT_REFUSED);
}

function print(reply: ApiReply, json: boolean): void {
  const body = reply.body as Record<string, unknown> | null;
  if (json) {
    console.log(JSON.stringify(reply.status >= 400 ? { error: body } : body));
    return;
  }
  if (reply.status >= 400) {
    const data = body?.['data'] ? ` ${JSON.stringify(body['data'])}` : '';
    console.error(`error ${String(body?.['code'])}: ${String(body?.['message'])}${data}`);
    return;
  }
  for (const [k, v] of Object.entries(body ?? {})) console.log(`${k}: ${JSON.stringify(v)}`);
}
