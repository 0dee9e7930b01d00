import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { FaceEngine } from './biometrics/face-engine.js';
import type { Config } from './config/config.js';
import { openStore, type Store } from './db/connection.js';
import { createTransactor } from './db/executor.js';
import { migrateToLatest } from './db/migrate.js';
import type { Database } from './db/schema.js';
import { createHttpApp } from './http/app.js';
import { registerMetrics } from './http/metrics.js';
import { thresholdForGallery } from './matcher/gallery-threshold.js';
import { Matcher } from './matcher/matcher.js';
import { AccessService } from './modules/access/access.service.js';
import { adjudicationsRoutes } from './modules/adjudications/adjudications.routes.js';
import { AdjudicationsService } from './modules/adjudications/adjudications.service.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { AuditService } from './modules/audit/audit.service.js';
import { CitizenAccountService } from './modules/citizen/citizen-account.service.js';
import { CitizenConsentsService } from './modules/citizen/citizen-consents.service.js';
import { citizenConsentRoutes } from './modules/citizen/citizen-consents.routes.js';
import { CitizenRecordsService } from './modules/citizen/citizen-records.service.js';
import { CitizenSessionsService } from './modules/citizen/citizen-sessions.service.js';
import { CitizenSubjects } from './modules/citizen/citizen-subjects.js';
import { citizenRoutes } from './modules/citizen/citizen.routes.js';
import { LogReceipts } from './modules/citizen/log-receipts.js';
import { UsageService } from './modules/citizen/usage.service.js';
import { DuplicateCases } from './modules/enrolment/duplicate-cases.js';
import { enrolmentRoutes } from './modules/enrolment/enrolment.routes.js';
import { EnrolmentService } from './modules/enrolment/enrolment.service.js';
import { TemplateCommits, type StepProbe } from './modules/enrolment/template-commits.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { IdempotencyService } from './modules/idempotency/idempotency.service.js';
import { incidentsRoutes } from './modules/incidents/incidents.routes.js';
import { IncidentsService } from './modules/incidents/incidents.service.js';
import { DataKeys } from './modules/keys/data-keys.js';
import { KeysService } from './modules/keys/keys.service.js';
import { loadMasterKeyring, type MasterKeyring } from './modules/keys/master-keyring.js';
import { SystemKeys } from './modules/keys/system-keys.js';
import { matchingRoutes } from './modules/matching/matching.routes.js';
import { MatchingService } from './modules/matching/matching.service.js';
import { ContactBook } from './modules/notifications/contact-book.js';
import { LogNotifier, WebhookNotifier, type Notifier } from './modules/notifications/notifier.js';
import { NotificationOutbox } from './modules/notifications/outbox.js';
import { Erasure } from './modules/persons/erasure.js';
import { PersonRecords } from './modules/persons/person-record.js';
import { personsRoutes } from './modules/persons/persons.routes.js';
import { PersonsService } from './modules/persons/persons.service.js';
import { principalsRoutes } from './modules/principals/principals.routes.js';
import { PrincipalsService } from './modules/principals/principals.service.js';
import { Pseudonyms } from './modules/pseudonyms/pseudonyms.js';
import { segmentsRoutes } from './modules/segments/segments.routes.js';
import { SegmentsService } from './modules/segments/segments.service.js';
import { TemplateGalleries } from './modules/templates/galleries.js';
import { MatcherSync } from './modules/templates/matcher-sync.js';
import { PersonKeys } from './modules/templates/person-keys.js';
import { RenewalService } from './modules/templates/renewal.service.js';
import { segmentRewrap } from './modules/templates/segment-rewrap.js';
import { SegmentTransforms } from './modules/templates/segment-transforms.js';
import { TemplateVault } from './modules/templates/template-vault.js';
import { transparencyRoutes } from './modules/transparency/transparency.routes.js';
import { TransparencyLog } from './modules/transparency/transparency.service.js';
import { systemClock, type Clock } from './ports/clock.js';
import { randomIds, type IdSource } from './ports/ids.js';
import { createRepositories, type Repositories } from './repositories.js';
import type { RegistryServices } from './services/registry.js';

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
}

/**
 * The registry's services that need only the store and the keys (no face engine, no HTTP): the server builds
 * on them, and so do the command line's key tools and the benchmarks, so every one is wired here once.
 */
export async function composeStoreServices(db: Kysely<Database>, keyring: MasterKeyring, clock: Clock, ids: IdSource) {
  const repos = createRepositories(db);
  const transactions = createTransactor(db);
  const dataKeys = new DataKeys(repos.segmentKeys, transactions, keyring, clock);
  await dataKeys.load();
  const systemKeys = new SystemKeys(repos.systemKeys, keyring, clock);
  const audit = new AuditService(repos.audit, transactions, clock, ids);
  const idempotency = new IdempotencyService(repos.idempotency, transactions, clock);
  const pseudonyms = new Pseudonyms(repos.pseudonyms, systemKeys, clock);
  const access = new AccessService(repos, audit, pseudonyms, clock);
  const matcher = new Matcher();
  const personKeys = new PersonKeys(repos.personKeys, transactions, dataKeys, clock);
  const transforms = new SegmentTransforms(repos.transforms, transactions, dataKeys, clock);
  const vault = new TemplateVault(repos, transactions, dataKeys, personKeys, transforms, ids, clock);
  const segments = new SegmentsService(repos.segments, transactions, dataKeys, audit, clock);
  const principals = new PrincipalsService(repos, transactions, audit, idempotency, clock, ids);
  const rewrap = segmentRewrap(personKeys, transforms);
  const renewal = new RenewalService(repos.templates, matcher, transforms, vault, segments, access, audit);
  const sync = new MatcherSync(repos, matcher, vault, clock);
  const galleries = new TemplateGalleries(matcher, transforms);
  return {
    ...{ repos, transactions, dataKeys, systemKeys, audit, idempotency, pseudonyms, access, matcher, personKeys },
    ...{ transforms, vault, segments, principals, rewrap, renewal, sync, galleries },
  };
}

type StoreServices = Awaited<ReturnType<typeof composeStoreServices>>;

export interface Registry {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly repositories: Repositories;
  readonly matcher: Matcher;
  readonly engine: FaceEngine;
  readonly keyring: MasterKeyring;
  readonly services: Pick<
    StoreServices,
    'principals' | 'segments' | 'dataKeys' | 'idempotency' | 'sync' | 'systemKeys' | 'renewal' | 'vault'
  > &
    Pick<StoreServices, 'galleries' | 'personKeys'> & {
      readonly keys: KeysService;
      /** The transparency log: integrate(), latestHead(), inclusionProof(s)(), leavesOf(). */
      readonly transparency: TransparencyLog;
      readonly outbox: NotificationOutbox;
      /** What relying-party applications (src/services/) are given: the registry's own decisions only. */
      readonly relyingParties: RegistryServices;
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
  const store = openStore(config.database);
  const ownEngine = !overrides.engine;
  let engine: FaceEngine | undefined = overrides.engine;
  try {
    const { db } = store;
    await migrateToLatest(db);
    const keyring = loadMasterKeyring(config.keys);
    const core = await composeStoreServices(db, keyring, clock, ids);
    const { repos, transactions, audit, access, pseudonyms, idempotency, matcher, galleries, sync } = core;
    await pseudonyms.load();
    const transparency = new TransparencyLog(repos.transparency, transactions, core.systemKeys, clock);
    // Background work reports through the server's logger once it exists.
    let log = (message: string, fields: Record<string, unknown>) => console.error(`oblik: ${message}`, fields);
    const keys = new KeysService(repos, core.dataKeys, core.rewrap, core.segments, audit, (e) =>
      log('background re-wrapping failed', { e }),
    );

    const segmentsCreated = await core.segments.ensure(config.registry.segments);
    const dataKeysRewrapped = await core.dataKeys.rewrapAll();
    await core.systemKeys.rewrapAll();
    const bootstrapAdmin = config.registry.bootstrapAdminKey
      ? await core.principals.bootstrapAdmin(config.registry.bootstrapAdminKey)
      : undefined;
    const templatesRenewed = await core.renewal.settle();
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
    const gallery = { galleries, sync };
    const cases = new DuplicateCases(repos.adjudications, audit, clock, ids);
    const commits = new TemplateCommits(
      gallery,
      core.vault,
      core.personKeys,
      idempotency,
      cases,
      { audit, pseudonyms },
      thresholds,
      overrides.enrolmentProbe,
    );
    const enrolment = new EnrolmentService(engine, access, commits, repos, core.personKeys, clock, ids, thresholds);
    const matching = new MatchingService(engine, gallery, access, audit, idempotency, pseudonyms, thresholds);
    const erasure = new Erasure(repos, transactions, matcher, core.personKeys, audit, clock);
    const records = new PersonRecords(repos);
    const persons = new PersonsService(repos, transactions, records, access, erasure, audit, clock);
    const adjudications = new AdjudicationsService(repos.adjudications, transactions, access, audit, clock);
    const contacts = new ContactBook(repos.contacts, core.dataKeys, clock);
    const notifier =
      overrides.notifier ??
      (config.notify.webhookUrl
        ? new WebhookNotifier(config.notify.webhookUrl)
        : new LogNotifier((message, fields) => log(message, fields)));
    const outbox = new NotificationOutbox(repos.notifications, contacts, notifier, clock);
    const incidents = new IncidentsService(repos, transactions, access, audit, core.renewal, outbox, clock, ids);
    const sessions = new CitizenSessionsService(
      { sessions: repos.citizenSessions, persons: repos.persons },
      transactions,
      { engine, ...gallery },
      access,
      audit,
      clock,
      { ...config.citizen, matchThreshold: config.engine.matchThreshold },
    );
    const subjects = new CitizenSubjects(repos, clock);
    const usage = new UsageService(repos.usage, transparency, config.engine.matchThreshold);
    const receipts = new LogReceipts(repos.audit, transparency);
    const consents = new CitizenConsentsService(repos, subjects, audit, receipts, idempotency, clock, ids);
    const people = { contacts, pseudonyms };
    const account = new CitizenAccountService(repos, transactions, subjects, erasure, people, audit, clock);
    const citizenRecords = new CitizenRecordsService(repos, subjects, records, contacts, usage, audit, clock);

    const app = await createHttpApp(
      { maxImageBytes: config.engine.intake.maxBytes, logLevel: config.server.logLevel, version: VERSION },
      { principal: (key) => core.principals.authenticate(key), citizen: (token) => sessions.authenticate(token) },
    );
    log = (message, fields) => app.log.info(fields, message);
    const metrics = registerMetrics(app, matcher);
    healthRoutes(app, {
      store: repos.health,
      dialect: store.dialect,
      matcher,
      modelPack: engine.modelPack.tag,
      metrics,
    });
    segmentsRoutes(app, core.segments, keys, core.renewal);
    principalsRoutes(app, core.principals);
    enrolmentRoutes(app, enrolment);
    matchingRoutes(app, matching);
    personsRoutes(app, persons, sessions);
    adjudicationsRoutes(app, adjudications);
    auditRoutes(app, audit);
    transparencyRoutes(app, transparency);
    citizenRoutes(app, { sessions, account, records: citizenRecords });
    citizenConsentRoutes(app, { consents, records: citizenRecords });
    incidentsRoutes(app, incidents);
    await app.ready();

    const startedEngine = engine;
    return {
      app,
      store,
      repositories: repos,
      matcher,
      engine: startedEngine,
      keyring,
      services: {
        ...{ principals: core.principals, segments: core.segments, keys, dataKeys: core.dataKeys, idempotency, sync },
        ...{ systemKeys: core.systemKeys, transparency, outbox, renewal: core.renewal, vault: core.vault, galleries },
        personKeys: core.personKeys,
        relyingParties: { matching, enrolment },
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
