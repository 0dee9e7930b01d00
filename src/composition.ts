import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import { FaceEngine } from './biometrics/face-engine.js';
import type { Config } from './config/config.js';
import { openStore, type Store } from './db/connection.js';
import { migrateStore } from './db/migrate.js';
import { createHttpApp } from './http/app.js';
import { registerMetrics } from './http/metrics.js';
import { loadMasterKeyring, type MasterKeyring } from './keys/master-keyring.js';
import { thresholdForGallery } from './matcher/gallery-threshold.js';
import { Matcher } from './matcher/matcher.js';
import { AccessService } from './modules/access/access.service.js';
import { adjudicationsRoutes } from './modules/adjudications/adjudications.routes.js';
import { AdjudicationsService } from './modules/adjudications/adjudications.service.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { AuditService } from './modules/audit/audit.service.js';
import { enrolmentRoutes } from './modules/enrolment/enrolment.routes.js';
import { DuplicateCases } from './modules/enrolment/duplicate-cases.js';
import { EnrolmentService, type StepProbe } from './modules/enrolment/enrolment.service.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { IdempotencyService } from './modules/idempotency/idempotency.service.js';
import { DataKeys } from './modules/keys/data-keys.js';
import { KeysService } from './modules/keys/keys.service.js';
import { SystemKeys } from './modules/keys/system-keys.js';
import { matchingRoutes } from './modules/matching/matching.routes.js';
import { MatchingService } from './modules/matching/matching.service.js';
import { personsRoutes } from './modules/persons/persons.routes.js';
import { PersonsService } from './modules/persons/persons.service.js';
import { principalsRoutes } from './modules/principals/principals.routes.js';
import { PrincipalsService } from './modules/principals/principals.service.js';
import { segmentsRoutes } from './modules/segments/segments.routes.js';
import { SegmentsService } from './modules/segments/segments.service.js';
import { MatcherSync } from './modules/templates/matcher-sync.js';
import { TemplateVault } from './modules/templates/template-vault.js';
import { transparencyRoutes } from './modules/transparency/transparency.routes.js';
import { TransparencyLog } from './modules/transparency/transparency.service.js';
import { CitizenAccountService } from './modules/citizen/citizen-account.service.js';
import { CitizenConsentsService } from './modules/citizen/citizen-consents.service.js';
import { CitizenSessions } from './modules/citizen/citizen-sessions.js';
import { CitizenSubjects } from './modules/citizen/citizen-subjects.js';
import { citizenConsentRoutes } from './modules/citizen/citizen-consents.routes.js';
import { citizenRoutes } from './modules/citizen/citizen.routes.js';
import { LogReceipts } from './modules/citizen/log-receipts.js';
import { UsageService } from './modules/citizen/usage.service.js';
import { incidentsRoutes } from './modules/incidents/incidents.routes.js';
import { IncidentsService } from './modules/incidents/incidents.service.js';
import { ContactBook } from './modules/notifications/contact-book.js';
import { LogNotifier, WebhookNotifier, type Notifier } from './modules/notifications/notifier.js';
import { NotificationOutbox } from './modules/notifications/outbox.js';
import { Erasure } from './modules/persons/erasure.js';
import { Pseudonyms } from './modules/pseudonyms/pseudonyms.js';
import { TemplateGalleries } from './modules/templates/galleries.js';
import { PersonKeys } from './modules/templates/person-keys.js';
import { RenewalService } from './modules/templates/renewal.service.js';
import { segmentRewrap } from './modules/templates/segment-rewrap.js';
import { SegmentTransforms } from './modules/templates/segment-transforms.js';
import { systemClock, type Clock } from './ports/clock.js';
import { randomIds, type IdSource } from './ports/ids.js';

export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/**
 * A fixed threshold if configured; else one that rises with the gallery, from the model pack's calibration,
 * never below the 1:1 threshold. A pack without calibration falls back to the 1:1 threshold.
 */
function galleryThreshold(engine: FaceEngine, fixed: number | undefined, falseCandidates: number) {
  const floor = engine.settings.matchThreshold;
  const calibration = engine.modelPack.calibration;
  if (fixed !== undefined) return () => fixed;
  if (!calibration) return () => floor;
  return (galleryTemplates: number) =>
    Math.round(thresholdForGallery(calibration, galleryTemplates, falseCandidates, floor) * 1e4) / 1e4;
}

/** What the composition can be given instead of building it (tests share one engine, fix clocks, probe steps). */
export interface RegistryOverrides {
  readonly engine?: FaceEngine;
  readonly clock?: Clock;
  readonly ids?: IdSource;
  readonly enrolmentProbe?: StepProbe;
  readonly notifier?: Notifier;
  /** Where the server's log lines go instead of stdout. */
  readonly logStream?: { write(line: string): void };
}

export interface Registry {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly matcher: Matcher;
  readonly engine: FaceEngine;
  readonly keyring: MasterKeyring;
  /** Prometheus metrics of this instance, served by `serve` on the metrics port (never on the API's). */
  readonly metrics: MetricsRegistry;
  readonly services: {
    readonly principals: PrincipalsService;
    readonly segments: SegmentsService;
    readonly keys: KeysService;
    readonly dataKeys: DataKeys;
    readonly idempotency: IdempotencyService;
    readonly sync: MatcherSync;
    readonly systemKeys: SystemKeys;
    /** The transparency log: integrate(), latestHead(), inclusionProof(s)(), leavesOf(). */
    readonly transparency: TransparencyLog;
    readonly outbox: NotificationOutbox;
    readonly renewal: RenewalService;
    readonly vault: TemplateVault;
    readonly galleries: TemplateGalleries;
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

/**
 * The one place that builds repositories → services → routes. Opens and migrates the store, loads the keys,
 * makes sure the configured segments exist, loads every template into the matcher, then mounts the routes.
 */
export async function buildRegistry(config: Config, overrides: RegistryOverrides = {}): Promise<Registry> {
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds;
  // Background work (and the store's dropped connections) report through the server's logger once it exists.
  let log = (message: string, fields: Record<string, unknown>) => console.error(`oblik: ${message}`, fields);
  let warn = log;
  const store = openStore(config.database, (message, fields) => warn(message, fields));
  const ownEngine = !overrides.engine;
  let engine: FaceEngine | undefined = overrides.engine;
  try {
    const { db } = store;
    await migrateStore(config.database, db);
    const keyring = loadMasterKeyring(config.keys);
    const dataKeys = new DataKeys(db, keyring, clock);
    await dataKeys.load();
    const systemKeys = new SystemKeys(db, keyring, clock);

    const audit = new AuditService(db, clock, ids);
    const transparency = new TransparencyLog(db, systemKeys, clock);
    const idempotency = new IdempotencyService(db, clock);
    const pseudonyms = new Pseudonyms(db, systemKeys, clock);
    await pseudonyms.load();
    const access = new AccessService(db, audit, pseudonyms, clock);
    const matcher = new Matcher();
    const personKeys = new PersonKeys(db, dataKeys, clock);
    const transforms = new SegmentTransforms(db, dataKeys, clock);
    const vault = new TemplateVault(db, dataKeys, personKeys, transforms, ids, clock);
    const galleries = new TemplateGalleries(matcher, transforms);
    const segments = new SegmentsService(db, dataKeys, audit, clock);
    const principals = new PrincipalsService(db, audit, idempotency, clock, ids);
    const rewrap = segmentRewrap(db, dataKeys, clock);
    const keys = new KeysService(db, dataKeys, rewrap, segments, audit, (e) =>
      log('background re-wrapping failed', { e }),
    );

    const segmentsCreated = await segments.ensure(config.registry.segments);
    const dataKeysRewrapped = await dataKeys.rewrapAll();
    await systemKeys.rewrapAll();
    const bootstrapAdmin = config.registry.bootstrapAdminKey
      ? await principals.bootstrapAdmin(config.registry.bootstrapAdminKey)
      : undefined;
    const renewal = new RenewalService(db, matcher, transforms, vault, segments, access, audit);
    const templatesRenewed = await renewal.settle();
    const sync = new MatcherSync(db, matcher, vault, clock);
    const templatesLoaded = await sync.load();
    await idempotency.purge(config.registry.idempotencyTtlHours);

    engine ??= await FaceEngine.start(config.engine);
    const thresholds = {
      matchThreshold: config.engine.matchThreshold,
      identifyThreshold: galleryThreshold(
        engine,
        config.registry.identifyThreshold,
        config.registry.identifyFalseCandidates,
      ),
      dedupThreshold: galleryThreshold(engine, config.registry.dedupThreshold, config.registry.dedupFalseCandidates),
      livenessThreshold: config.engine.livenessThreshold,
      maxCandidates: config.registry.maxCandidates,
      requireLiveness: config.registry.requireLiveness,
    };
    const enrolment = new EnrolmentService(
      db,
      engine,
      matcher,
      galleries,
      sync,
      vault,
      personKeys,
      pseudonyms,
      access,
      audit,
      idempotency,
      clock,
      ids,
      new DuplicateCases(db, audit, clock, ids),
      thresholds,
      overrides.enrolmentProbe,
    );
    const matching = new MatchingService(engine, galleries, sync, access, audit, idempotency, pseudonyms, thresholds);
    const erasure = new Erasure(db, matcher, personKeys, audit, clock);
    const persons = new PersonsService(db, access, erasure, audit, clock);
    const adjudications = new AdjudicationsService(db, access, audit, clock);
    const contacts = new ContactBook(db, dataKeys, clock);
    const notifier =
      overrides.notifier ??
      (config.notify.webhookUrl
        ? new WebhookNotifier(config.notify.webhookUrl)
        : new LogNotifier((message, fields) => log(message, fields)));
    const outbox = new NotificationOutbox(db, contacts, notifier, clock);
    const incidents = new IncidentsService(db, access, audit, renewal, outbox, clock, ids);
    const sessions = new CitizenSessions(db, engine, galleries, sync, access, audit, clock, {
      ...config.citizen,
      matchThreshold: config.engine.matchThreshold,
    });
    const subjects = new CitizenSubjects(db, clock);
    const usage = new UsageService(db, transparency, config.engine.matchThreshold);
    const citizenConsents = new CitizenConsentsService(
      db,
      subjects,
      audit,
      new LogReceipts(db, transparency),
      idempotency,
      clock,
      ids,
    );
    const account = new CitizenAccountService(db, subjects, erasure, usage, contacts, pseudonyms, audit, clock);

    const app = await createHttpApp(
      {
        maxImageBytes: config.engine.intake.maxBytes,
        logLevel: config.server.logLevel,
        version: VERSION,
        rateLimit: config.server.rateLimit,
        trustProxy: config.server.trustProxy,
        logStream: overrides.logStream,
      },
      { principal: (key) => principals.authenticate(key), citizen: (token) => sessions.authenticate(token) },
    );
    log = (message, fields) => app.log.info(fields, message);
    warn = (message, fields) => app.log.warn(fields, message);
    const metrics = registerMetrics(app, matcher);
    healthRoutes(app, { db, dialect: store.dialect, matcher, modelPack: engine.modelPack.tag });
    segmentsRoutes(app, segments, keys, renewal);
    principalsRoutes(app, principals);
    enrolmentRoutes(app, enrolment);
    matchingRoutes(app, matching);
    personsRoutes(app, persons, sessions);
    adjudicationsRoutes(app, adjudications);
    auditRoutes(app, audit);
    transparencyRoutes(app, transparency);
    citizenRoutes(app, { sessions, account });
    citizenConsentRoutes(app, { consents: citizenConsents, account, usage });
    incidentsRoutes(app, incidents);
    await app.ready();

    const startedEngine = engine;
    return {
      app,
      store,
      matcher,
      engine: startedEngine,
      keyring,
      metrics,
      services: {
        principals,
        segments,
        keys,
        dataKeys,
        idempotency,
        sync,
        systemKeys,
        transparency,
        outbox,
        renewal,
        vault,
        galleries,
      },
      startup: {
        templatesLoaded,
        segmentsCreated,
        dataKeysRewrapped,
        templatesRenewed,
        ...(bootstrapAdmin ? { bootstrapAdmin } : {}),
      },
      async close() {
        await app.close();
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
