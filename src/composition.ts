import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import { FaceEngine } from './biometrics/face-engine.js';
import type { Config } from './config/config.js';
import { openStore, type Store } from './db/connection.js';
import { migrateStore } from './db/migrate.js';
import { createHttpApp } from './http/app.js';
import { registerMetrics } from './http/metrics.js';
import { registerPages } from './http/pages.js';
import { capturesRoutes } from './modules/captures/captures.routes.js';
import { principalSelfRoutes } from './modules/principals/principal-self.routes.js';
import type { Matcher } from './matcher/matcher.js';
import { adjudicationsRoutes } from './modules/adjudications/adjudications.routes.js';
import { alertsRoutes } from './modules/alerts/alerts.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { citizenConsentRoutes } from './modules/citizen/citizen-consents.routes.js';
import { citizenRoutes } from './modules/citizen/citizen.routes.js';
import { enrolmentRoutes } from './modules/enrolment/enrolment.routes.js';
import type { StepProbe } from './modules/enrolment/template-commits.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { metricsRoutes } from './modules/health/metrics.routes.js';
import { OperationsMetrics } from './modules/health/operations-metrics.service.js';
import { incidentsRoutes } from './modules/incidents/incidents.routes.js';
import type { KeysService } from './modules/keys/keys.service.js';
import { loadMasterKeyring, type MasterKeyring } from './modules/keys/master-keyring.js';
import { matchingRoutes } from './modules/matching/matching.routes.js';
import type { Notifier } from './modules/notifications/notifier.js';
import type { NotificationOutbox } from './modules/notifications/outbox.js';
import type { ContactBook } from './modules/notifications/contact-book.js';
import type { MessageDelivery } from './modules/notifications/message-delivery.js';
import { personsRoutes } from './modules/persons/persons.routes.js';
import { principalsRoutes } from './modules/principals/principals.routes.js';
import { segmentsRoutes } from './modules/segments/segments.routes.js';
import { transparencyRoutes } from './modules/transparency/transparency.routes.js';
import type { TransparencyLog } from './modules/transparency/transparency.service.js';
import { systemClock, type Clock } from './ports/clock.js';
import { randomIds, type IdSource } from './ports/ids.js';
import { composeRegistryServices, composeStoreServices, type Log, type StoreServices } from './registry-services.js';
import type { Repositories } from './repositories.js';
import type { RegistryServices } from './services/registry.js';
import { createTransactor } from './db/executor.js';
import { ContractsService } from './services/telecom/contracts.service.js';
import { PortingService } from './services/telecom/porting.service.js';
import { SubscriberHistoryService } from './services/telecom/subscriber-history.service.js';
import { createTelecomRepository } from './services/telecom/telecom.repository.js';
import { telecomRoutes } from './services/telecom/telecom.routes.js';
import { TelecomScheduler, type SwitchProbe } from './services/telecom/telecom-scheduler.js';
import { ChargeOutbox, type ChargeProbe } from './services/payments/charge-outbox.js';
import { createChargesRepository } from './services/payments/charges.repository.js';
import { DevelopmentPayments } from './services/payments/development-payments.js';
import type { PaymentPort } from './services/payments/payment-port.js';
import { ParkingService } from './services/parking/parking.service.js';
import { createParkingRepository } from './services/parking/parking.repository.js';
import { parkingRoutes } from './services/parking/parking.routes.js';
import { transitChargeConsequences } from './services/transit/charge-consequences.js';
import { PassesService } from './services/transit/passes.service.js';
import { RidersService } from './services/transit/riders.service.js';
import { createTransitRepository } from './services/transit/transit.repository.js';
import { transitRoutes } from './services/transit/transit.routes.js';
import { PartyNames } from './modules/pseudonyms/party-names.js';
import { SchoolsService } from './services/schools/schools.service.js';
import { createSchoolsRepository } from './services/schools/schools.repository.js';
import { schoolsRoutes } from './services/schools/schools.routes.js';
import { VenuesService } from './services/venues/venues.service.js';
import { createVenuesRepository } from './services/venues/venues.repository.js';
import { venuesRoutes } from './services/venues/venues.routes.js';
import { TransferProcessor } from './services/transfers/transfer-processor.js';
import { createTransfersRepository } from './services/transfers/transfers.repository.js';
import { transfersRoutes } from './services/transfers/transfers.routes.js';
import { TransfersService } from './services/transfers/transfers.service.js';

export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** What the composition can be given instead of building it (tests share one engine, fix clocks, probe steps). */
export interface RegistryOverrides {
  readonly engine?: FaceEngine;
  readonly clock?: Clock;
  readonly ids?: IdSource;
  readonly enrolmentProbe?: StepProbe;
  /** A hook inside a number's switch-over (a test crashes there). */
  readonly switchProbe?: SwitchProbe;
  /** The payment provider (default: the development adapter), and a hook after its answer (a test crashes there). */
  readonly payments?: PaymentPort;
  readonly chargeProbe?: ChargeProbe;
  readonly notifier?: Notifier;
  /** How one-time codes are sent (default: the configured gateway, else the outbox files). */
  readonly delivery?: MessageDelivery;
  /** Where the server's log lines go instead of stdout. */
  readonly logStream?: { write(line: string): void };
}

export interface Registry {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly repositories: Repositories;
  readonly matcher: Matcher;
  readonly engine: FaceEngine;
  readonly keyring: MasterKeyring;
  /** Prometheus metrics of this instance, served by `serve` on the metrics port (never on the API's). */
  readonly metrics: MetricsRegistry;
  readonly services: Pick<
    StoreServices,
    'principals' | 'segments' | 'dataKeys' | 'idempotency' | 'sync' | 'systemKeys' | 'renewal' | 'vault'
  > &
    Pick<StoreServices, 'galleries' | 'personKeys'> & {
      readonly keys: KeysService;
      /** The transparency log: integrate(), latestHead(), inclusionProof(s)(), leavesOf(). */
      readonly transparency: TransparencyLog;
      readonly outbox: NotificationOutbox;
      /** Messages that must reach a person now (one-time codes): the gateway, or the outbox files. */
      readonly delivery: MessageDelivery;
      /** Citizens' sealed contact details. */
      readonly contacts: ContactBook;
      /** What relying-party applications (src/services/) are given: the registry's own decisions only. */
      readonly relyingParties: RegistryServices;
      /** Runs due contract endings and number switches (also every OBLIK_TELECOM_SCHEDULER_SECONDS). */
      readonly telecomScheduler: TelecomScheduler;
      /** The payment outbox of transit and parking charges (runDue() retries what the port has not answered). */
      readonly charges: ChargeOutbox;
      /** Works through banks' batches in the background (resumed at start). */
      readonly transferProcessor: TransferProcessor;
    };
  /** What start-up did, for the banner. */
  readonly startup: {
    readonly templatesLoaded: number;
    readonly segmentsCreated: string[];
    readonly dataKeysRewrapped: number;
    /** Templates moved into their segment's transform at start (legacy ones, or an interrupted re-key). */
    readonly templatesRenewed: number;
    readonly bootstrapAdmin?: { readonly id: string; readonly created: boolean };
  };
  close(): Promise<void>;
}

/** Every route, each handed the one service it calls. */
function mountRoutes(
  app: FastifyInstance,
  core: StoreServices,
  services: ReturnType<typeof composeRegistryServices>,
  health: Parameters<typeof healthRoutes>[1],
): void {
  const { sessions, signIn, account, citizenRecords: records } = services;
  healthRoutes(app, health);
  segmentsRoutes(app, { segments: core.segments, keys: services.keys, renewal: core.renewal });
  principalsRoutes(app, core.principals);
  enrolmentRoutes(app, services.enrolment);
  matchingRoutes(app, services.matching);
  personsRoutes(app, services.persons, signIn);
  adjudicationsRoutes(app, services.adjudications);
  alertsRoutes(app, services.alerts);
  auditRoutes(app, core.auditReader);
  transparencyRoutes(app, services.transparency, services.auditorEntries);
  citizenRoutes(app, { sessions, signIn, account, records, contactChanges: services.contactChanges });
  citizenConsentRoutes(app, { consents: services.consents, records });
  incidentsRoutes(app, services.incidents);
  principalSelfRoutes(app, core.principals);
  capturesRoutes(app, services.captureQuality);
}

/**
 * The telecom operators' application (src/services/telecom/): its own repository and transactions over the
 * store, the registry's services for every face and document decision, and its routes.
 */
function composeTelecom(
  app: FastifyInstance,
  store: Store,
  relyingParties: RegistryServices,
  config: Config,
  context: { clock: Clock; ids: IdSource; log: Log; switchProbe?: SwitchProbe | undefined },
): TelecomScheduler {
  const { clock, ids } = context;
  const telecom = createTelecomRepository(store.db);
  const transactions = createTransactor(store.db);
  const contracts = new ContractsService(relyingParties, telecom, clock, ids, config.telecom);
  const porting = new PortingService(relyingParties, telecom, transactions, clock, ids, config.telecom);
  const history = new SubscriberHistoryService(relyingParties, telecom, clock);
  telecomRoutes(app, { contracts, porting, history });
  return new TelecomScheduler(telecom, transactions, clock, context.log, context.switchProbe);
}

/**
 * Face Pay (src/services/transit/, src/services/parking/): their repositories, the payment outbox over the
 * payment port, the registry's services for every face decision, and their routes.
 */
function composeFacePay(
  app: FastifyInstance,
  store: Store,
  relyingParties: RegistryServices,
  config: Config,
  context: {
    clock: Clock;
    ids: IdSource;
    log: Log;
    payments?: PaymentPort | undefined;
    chargeProbe?: ChargeProbe | undefined;
  },
): ChargeOutbox {
  const { clock, ids } = context;
  const transactions = createTransactor(store.db);
  const transit = createTransitRepository(store.db);
  const charges = createChargesRepository(store.db);
  const port = context.payments ?? new DevelopmentPayments(config.payments.ledgerFile);
  const outbox = new ChargeOutbox(
    charges,
    transactions,
    port,
    clock,
    { timeoutMs: config.payments.timeoutMs, retryAfterMs: config.payments.retryIntervalMs },
    context.log,
    context.chargeProbe,
  );
  outbox.on('transit', transitChargeConsequences(transit, charges, clock));
  const passes = new PassesService(relyingParties, transit, charges, outbox, clock, ids, config.gates);
  const riders = new RidersService(relyingParties, transit, charges, outbox, transactions, clock, ids);
  transitRoutes(app, { passes, riders });
  const parking = createParkingRepository(store.db);
  parkingRoutes(app, new ParkingService(relyingParties, parking, charges, clock, ids, config.gates));
  return outbox;
}

/**
 * The city services (src/services/venues/, src/services/schools/): each its own repository over the store and
 * the registry's services for every face decision, and its routes.
 */
function composeCityServices(
  app: FastifyInstance,
  store: Store,
  relyingParties: RegistryServices,
  clock: Clock,
  ids: IdSource,
) {
  venuesRoutes(app, new VenuesService(relyingParties, createVenuesRepository(store.db), clock, ids));
  schoolsRoutes(app, new SchoolsService(relyingParties, createSchoolsRepository(store.db), clock, ids));
}

/**
 * The banks' bulk transfers (src/services/transfers/): their own repository, the registry's services for every
 * enrolment, the background processor (one record in flight per engine thread unless configured), the routes.
 */
function composeTransfers(
  app: FastifyInstance,
  store: Store,
  relyingParties: RegistryServices,
  config: Config,
  context: { clock: Clock; ids: IdSource; log: Log; engineThreads: number },
): TransferProcessor {
  const { clock, ids, log } = context;
  const transfers = createTransfersRepository(store.db);
  const settings = config.transfers;
  const processor = new TransferProcessor(relyingParties, transfers, clock, log, {
    concurrency: settings.concurrency || context.engineThreads,
    maxRecordBytes: settings.maxRecordBytes,
  });
  const service = new TransfersService(
    relyingParties,
    transfers,
    createTransactor(store.db),
    processor,
    clock,
    ids,
    settings,
  );
  transfersRoutes(app, service);
  return processor;
}

/**
 * The one place that builds repositories → services → routes. Opens and migrates the store, loads the keys,
 * makes sure the configured segments exist, loads every template into the matcher, then mounts the routes.
 */
export async function buildRegistry(config: Config, overrides: RegistryOverrides = {}): Promise<Registry> {
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds;
  // Background work (and the store's dropped connections) report through the server's logger once it exists.
  let log: Log = (message, fields) => console.error(`oblik: ${message}`, fields);
  let warn = log;
  const store = openStore(config.database, (message, fields) => warn(message, fields));
  const ownEngine = !overrides.engine;
  let engine: FaceEngine | undefined = overrides.engine;
  try {
    await migrateStore(config.database, store.db);
    const keyring = loadMasterKeyring(config.keys);
    const core = await composeStoreServices(store.db, keyring, clock, ids, config.registry.index);
    await core.pseudonyms.load();
    const segmentsCreated = await core.segments.ensure(config.registry.segments);
    const dataKeysRewrapped = await core.dataKeys.rewrapAll();
    await core.systemKeys.rewrapAll();
    const bootstrapAdmin = config.registry.bootstrapAdminKey
      ? await core.principals.bootstrapAdmin(config.registry.bootstrapAdminKey)
      : undefined;
    const templatesRenewed = await core.renewal.settle();
    const templatesLoaded = await core.sync.load();
    await core.idempotency.purge(config.registry.idempotencyTtlHours);

    engine ??= await FaceEngine.start(config.engine);
    const services = composeRegistryServices(core, engine, config, {
      ...overrides,
      clock,
      ids,
      log: (message, fields) => log(message, fields),
    });
    // A store whose log is behind the last head this deployment signed was truncated or restored: say so.
    await services.transparency.assertNotBehindWitness();
    const app = await createHttpApp(
      {
        maxImageBytes: config.engine.intake.maxBytes,
        logLevel: config.server.logLevel,
        version: VERSION,
        rateLimit: config.server.rateLimit,
        trustProxy: config.server.trustProxy,
        logStream: overrides.logStream,
      },
      {
        principal: (key) => core.principals.authenticate(key),
        citizen: (token) => services.sessions.authenticate(token),
      },
    );
    log = (message, fields) => app.log.info(fields, message);
    warn = (message, fields) => app.log.warn(fields, message);
    const metrics = registerMetrics(app, core.matcher);
    const { matcher } = core;
    mountRoutes(app, core, services, {
      store: core.repos.health,
      dialect: store.dialect,
      matcher,
      modelPack: engine.modelPack.tag,
    });
    const relyingParties: RegistryServices = {
      matching: services.matching,
      enrolment: services.enrolment,
      identityDocuments: services.identityDocuments,
      names: new PartyNames(core.repos.pseudonyms),
      citizenNames: services.citizenNames,
      parties: core.principals,
    };
    const telecomScheduler = composeTelecom(app, store, relyingParties, config, {
      clock,
      ids,
      log: (message, fields) => log(message, fields),
      switchProbe: overrides.switchProbe,
    });
    const charges = composeFacePay(app, store, relyingParties, config, {
      clock,
      ids,
      log: (message, fields) => log(message, fields),
      payments: overrides.payments,
      chargeProbe: overrides.chargeProbe,
    });
    composeCityServices(app, store, relyingParties, clock, ids);
    const transferProcessor = composeTransfers(app, store, relyingParties, config, {
      clock,
      ids,
      log: (message, fields) => log(message, fields),
      engineThreads: engine.settings.threads,
    });
    metricsRoutes(app, new OperationsMetrics(core.access, metrics));
    await registerPages(app);
    await app.ready();
    // A switch or ending a crash interrupted (or one that fell due while the server was down) is done now.
    await telecomScheduler.runDue();
    telecomScheduler.start(config.telecom.schedulerIntervalMs);
    // Charges a crash left unsent (decided, never answered by the port) are sent now (in the background, as a
    // slow port must not hold up start-up), then retried periodically.
    charges.start(config.payments.retryIntervalMs);
    // Batches a crash or a stop interrupted go on where they stopped.
    await transferProcessor.resume();

    const startedEngine = engine;
    return {
      app,
      store,
      repositories: core.repos,
      matcher,
      engine: startedEngine,
      keyring,
      metrics,
      services: {
        ...{ principals: core.principals, segments: core.segments, dataKeys: core.dataKeys, sync: core.sync },
        ...{ idempotency: core.idempotency, systemKeys: core.systemKeys, renewal: core.renewal, vault: core.vault },
        ...{ galleries: core.galleries, personKeys: core.personKeys, keys: services.keys },
        ...{ transparency: services.transparency, outbox: services.outbox, delivery: services.delivery },
        contacts: services.contacts,
        relyingParties,
        telecomScheduler,
        charges,
        transferProcessor,
      },
      startup: {
        templatesLoaded,
        segmentsCreated,
        dataKeysRewrapped,
        templatesRenewed,
        ...(bootstrapAdmin ? { bootstrapAdmin } : {}),
      },
      async close() {
        await telecomScheduler.stop();
        await app.close();
        await services.identityDocuments.close();
        if (ownEngine) await startedEngine.close();
        await store.close();
      },
    };
  } catch (e) {
    if (ownEngine && engine) await engine.close();
    await store.close();
    throw e;
  }
}
