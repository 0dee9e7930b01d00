import type { Config } from './config/config.js';
import { buildRegistry, VERSION, type Registry } from './composition.js';
import { startMetricsServer, type MetricsServer } from './http/metrics-server.js';

/** A running server: the registry, and the Prometheus endpoint if one is configured. */
export interface RunningServer extends Registry {
  readonly metricsServer?: MetricsServer;
}

/**
 * Starts the registry server and prints where it listens, where its data and keys live, and how to get in.
 * Returns once listening; closes cleanly on SIGINT/SIGTERM (in-flight requests finish, the pool stops).
 */
export async function serve(config: Config, print: (line: string) => void = console.log): Promise<RunningServer> {
  const built = await buildRegistry(config);
  let metricsServer: MetricsServer | undefined;
  let address: string;
  try {
    address = await built.app.listen({ host: config.server.host, port: config.server.port });
    if (config.server.metrics) {
      const { host, port } = config.server.metrics;
      metricsServer = await startMetricsServer(built.metrics, host, port).catch((e: unknown) => {
        throw new Error(
          `cannot serve metrics on ${host}:${port} (${(e as Error).message}); set OBLIK_METRICS_PORT to a free port or to off`,
        );
      });
    }
  } catch (e) {
    await built.close();
    throw e;
  }
  const registry: RunningServer = {
    ...built,
    ...(metricsServer ? { metricsServer } : {}),
    async close() {
      await metricsServer?.close();
      await built.close();
    },
  };
  // Handlers go in before the banner: whoever reads the banner may signal at once.
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    registry.app.log.info({ signal }, 'shutting down');
    registry.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  const { startup, store, keyring } = registry;
  print(`Oblik ${VERSION} registry listening on ${address}`);
  print(`  API docs   ${address}/docs   (OpenAPI: ${address}/openapi.json)`);
  print(`  metrics    ${metricsServer ? `${metricsServer.address}/metrics` : 'off (OBLIK_METRICS_PORT=off)'}`);
  print(`  store      ${store.dialect}: ${store.location}`);
  print(
    `  templates  ${startup.templatesLoaded} loaded into the matcher (model pack ${registry.engine.modelPack.tag})`,
  );
  if (keyring.source.kind === 'file') {
    print(`  master key ${keyring.source.path}${keyring.source.created ? ' (created now)' : ''}`);
    if (keyring.source.created) {
      print('');
      print('  WARNING: a new master key was generated and written beside the data. Anyone who copies the data');
      print('  directory can decrypt every template. In production set OBLIK_MASTER_KEY from a secret store (or');
      print('  an HSM-backed injector) and keep the key away from the database and its backups.');
      print('');
    }
  } else {
    print('  master key from OBLIK_MASTER_KEY');
  }
  if (startup.templatesRenewed > 0)
    print(`  moved ${startup.templatesRenewed} templates into their segment's template transform`);
  if (startup.dataKeysRewrapped > 0)
    print(`  re-wrapped ${startup.dataKeysRewrapped} data keys under the active master key`);
  if (startup.bootstrapAdmin) {
    print(
      `  administrator ${startup.bootstrapAdmin.id} (${startup.bootstrapAdmin.created ? 'created' : 'kept'} from OBLIK_BOOTSTRAP_ADMIN_KEY)`,
    );
  } else if (!(await registry.services.principals.hasAdmin())) {
    const admin = await registry.services.principals.issueAdmin('first-run administrator');
    print('');
    print(`  No administrator existed, so one was created. Its API key is shown only this once:`);
    print(`    ${admin.apiKey}`);
    print(`  Use it as "Authorization: Bearer <key>". Set OBLIK_BOOTSTRAP_ADMIN_KEY to choose the key yourself.`);
    print('');
  }
  void registry.services.keys.resealAll().catch((e: unknown) => registry.app.log.error({ err: e }, 'resealing failed'));
  const warn = (what: string) => (e: unknown) => registry.app.log.warn({ err: e }, what);
  // Other instances' enrolments and deletions reach this matcher at the latest a second later (and at once
  // for any request that searches); expired replay answers and old change events go hourly. Both timers are
  // unref'd: they never keep the process alive.
  setInterval(() => void registry.services.sync.catchUp().catch(warn('matcher catch-up failed')), 1000).unref();
  // Audit records join the transparency log within a second (a query finds nothing to do most seconds).
  setInterval(
    () => void registry.services.transparency.integrate().catch(warn('transparency log integration failed')),
    1000,
  ).unref();
  // Citizen notices that failed (a gateway down) are retried every half minute; each is sent once.
  setInterval(() => void registry.services.outbox.deliver().catch(warn('notice delivery failed')), 30_000).unref();
  setInterval(() => {
    void registry.services.idempotency
      .purge(config.registry.idempotencyTtlHours)
      .catch(warn('idempotency purge failed'));
    void registry.services.sync.purge(24).catch(warn('change-feed purge failed'));
  }, 3_600_000).unref();

  return registry;
}
