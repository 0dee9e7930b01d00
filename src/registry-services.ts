import type { Kysely } from 'kysely';
import type { FaceEngine } from './biometrics/face-engine.js';
import type { Config } from './config/config.js';
import { dialectOf } from './db/dialect.js';
import { createTransactor } from './db/executor.js';
import type { Database } from './db/schema.js';
import { thresholdForGallery } from './matcher/gallery-threshold.js';
import { ExactIndex } from './matcher/exact-index.js';
import { DEFAULT_HNSW, HnswIndex } from './matcher/hnsw-index.js';
import { Matcher, type IndexFactory } from './matcher/matcher.js';
import { AccessService } from './modules/access/access.service.js';
import { CaptureQualityService } from './modules/captures/captures.service.js';
import { AdjudicationsService } from './modules/adjudications/adjudications.service.js';
import { AlertsService } from './modules/alerts/alerts.service.js';
import { AuditReader } from './modules/audit/audit-reader.js';
import { AUDIT_ROW_MAC_KEY, AuditService } from './modules/audit/audit.service.js';
import { CitizenAccountService } from './modules/citizen/citizen-account.service.js';
import { CitizenNames } from './modules/citizen/citizen-names.js';
import { CitizenConsentsService } from './modules/citizen/citizen-consents.service.js';
import { CitizenRecordsService } from './modules/citizen/citizen-records.service.js';
import { CitizenFaceCheck } from './modules/citizen/citizen-face-check.js';
import { CitizenSessionsService } from './modules/citizen/citizen-sessions.service.js';
import { CitizenSignInService } from './modules/citizen/citizen-sign-in.service.js';
import { ContactChanges } from './modules/citizen/contact-changes.service.js';
import { SignInThrottle } from './modules/citizen/sign-in-throttle.js';
import { CitizenSubjects } from './modules/citizen/citizen-subjects.js';
import { LogReceipts } from './modules/citizen/log-receipts.js';
import { UsageService } from './modules/citizen/usage.service.js';
import { DuplicateCases } from './modules/enrolment/duplicate-cases.js';
import { EnrolmentAttempts } from './modules/enrolment/enrolment-attempts.js';
import { EnrolmentService } from './modules/enrolment/enrolment.service.js';
import { SegmentSections } from './modules/enrolment/segment-sections.js';
import { TemplateCommits, type StepProbe } from './modules/enrolment/template-commits.js';
import { DocumentReader } from './documents/document-reader.js';
import { IdentityDocuments } from './modules/identity-documents/identity-documents.service.js';
import { IdempotencyService } from './modules/idempotency/idempotency.service.js';
import { IncidentsService } from './modules/incidents/incidents.service.js';
import { DataKeys } from './modules/keys/data-keys.js';
import { KeysService } from './modules/keys/keys.service.js';
import type { MasterKeyring } from './modules/keys/master-keyring.js';
import { SystemKeys } from './modules/keys/system-keys.js';
import { MatchingService } from './modules/matching/matching.service.js';
import { ContactBook } from './modules/notifications/contact-book.js';
import { messageDelivery, type MessageDelivery } from './modules/notifications/message-delivery.js';
import { LogNotifier, WebhookNotifier, type Notifier } from './modules/notifications/notifier.js';
import { NotificationOutbox } from './modules/notifications/outbox.js';
import { Erasure } from './modules/persons/erasure.js';
import { PersonRecords } from './modules/persons/person-record.js';
import { PersonsService } from './modules/persons/persons.service.js';
import { PrincipalsService } from './modules/principals/principals.service.js';
import { Pseudonyms } from './modules/pseudonyms/pseudonyms.js';
import { SegmentsService } from './modules/segments/segments.service.js';
import { TemplateGalleries } from './modules/templates/galleries.js';
import { MatcherSync } from './modules/templates/matcher-sync.js';
import { PersonKeys } from './modules/templates/person-keys.js';
import { RenewalService } from './modules/templates/renewal.service.js';
import { segmentRewrap } from './modules/templates/segment-rewrap.js';
import { SegmentTransforms } from './modules/templates/segment-transforms.js';
import { TemplateVault } from './modules/templates/template-vault.js';
import { TransparencyLog } from './modules/transparency/transparency.service.js';
import { AuditorEntries } from './modules/transparency/auditor-entries.service.js';
import { LogWitness } from './modules/transparency/witness.js';
import type { Clock } from './ports/clock.js';
import type { IdSource } from './ports/ids.js';
import { createRepositories } from './repositories.js';

/**
 * The registry's services, built over its repositories (logto's `tenants/Libraries.ts` beside `Queries.ts`):
 * src/composition.ts calls these to build the server; the command line's key tools and the benchmarks call
 * {@link composeStoreServices} alone, so every service is wired in one place.
 */

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

/** One index per (segment, model pack), of the configured kind. */
function indexFactory({ kind, hnsw }: Config['registry']['index']): IndexFactory {
  return kind === 'hnsw' ? (dim) => new HnswIndex(dim, hnsw) : (dim) => new ExactIndex(dim);
}

/**
 * The registry's services that need only the store and the keys (no face engine, no HTTP): the server builds
 * on them, and so do the command line's key tools and the benchmarks, so every one is wired here once.
 */
export async function composeStoreServices(
  db: Kysely<Database>,
  keyring: MasterKeyring,
  clock: Clock,
  ids: IdSource,
  index: Config['registry']['index'] = { kind: 'exact', hnsw: DEFAULT_HNSW },
) {
  const repos = createRepositories(db);
  const transactions = createTransactor(db);
  const dataKeys = new DataKeys(repos.segmentKeys, transactions, keyring, clock);
  await dataKeys.load();
  const systemKeys = new SystemKeys(repos.systemKeys, keyring, clock);
  const audit = new AuditService(repos.audit, transactions, clock, ids, await systemKeys.secret(AUDIT_ROW_MAC_KEY));
  const idempotency = new IdempotencyService(repos.idempotency, transactions, clock);
  const pseudonyms = new Pseudonyms(repos.pseudonyms, systemKeys, clock);
  const access = new AccessService(repos, audit, pseudonyms, clock);
  const auditReader = new AuditReader(repos.audit, access);
  const matcher = new Matcher(indexFactory(index));
  const personKeys = new PersonKeys(repos.personKeys, transactions, dataKeys, clock);
  const transforms = new SegmentTransforms(repos.transforms, transactions, dataKeys, clock);
  const vault = new TemplateVault(repos, transactions, dataKeys, personKeys, transforms, ids, clock);
  const segments = new SegmentsService(repos.segments, transactions, dataKeys, audit, access, clock);
  const principals = new PrincipalsService(repos, transactions, audit, access, idempotency, clock, ids);
  const rewrap = segmentRewrap(personKeys, transforms);
  const renewal = new RenewalService(repos.templates, matcher, transforms, vault, segments, access, audit);
  const sync = new MatcherSync(repos, matcher, vault, clock);
  const sections = new SegmentSections(dialectOf(db), sync);
  const galleries = new TemplateGalleries(matcher, transforms);
  return {
    ...{
      repos,
      transactions,
      dataKeys,
      systemKeys,
      audit,
      auditReader,
      idempotency,
      pseudonyms,
      access,
      matcher,
      personKeys,
    },
    ...{ transforms, vault, segments, principals, rewrap, renewal, sync, sections, galleries },
  };
}

export type StoreServices = Awaited<ReturnType<typeof composeStoreServices>>;

/** The 1:1, 1:N and duplicate thresholds and the liveness rules, as every matching service reads them. */
function thresholdsOf(engine: FaceEngine, config: Config) {
  const { registry } = config;
  return {
    matchThreshold: config.engine.matchThreshold,
    identifyThreshold: galleryThreshold(engine, registry.identifyThreshold, registry.identifyFalseCandidates),
    dedupThreshold: galleryThreshold(engine, registry.dedupThreshold, registry.dedupFalseCandidates),
    livenessThreshold: config.engine.livenessThreshold,
    maxCandidates: registry.maxCandidates,
    requireLiveness: registry.requireLiveness,
  };
}

export type Log = (message: string, fields: Record<string, unknown>) => void;

/** The services that need the face engine, and the citizen's, over the store's. */
export function composeRegistryServices(
  core: StoreServices,
  engine: FaceEngine,
  config: Config,
  overrides: {
    clock: Clock;
    ids: IdSource;
    log: Log;
    enrolmentProbe?: StepProbe;
    notifier?: Notifier;
    delivery?: MessageDelivery;
  },
) {
  const { repos, transactions, audit, access, pseudonyms, idempotency, matcher, galleries, sync, sections } = core;
  const { clock, ids, log } = overrides;
  const thresholds = thresholdsOf(engine, config);
  const witness = new LogWitness(config.transparency.witnessFile);
  const transparency = new TransparencyLog(repos.transparency, transactions, core.systemKeys, clock, witness);
  const auditorEntries = new AuditorEntries(transparency, access, audit);
  const keys = new KeysService(repos, core.dataKeys, core.rewrap, core.segments, audit, access, (e) =>
    log('background re-wrapping failed', { e }),
  );
  const gallery = { galleries, sync };
  const cases = new DuplicateCases(repos.adjudications, audit, clock, ids);
  const commits = new TemplateCommits(
    { galleries, sections },
    core.vault,
    core.personKeys,
    idempotency,
    cases,
    { audit, pseudonyms },
    thresholds,
    overrides.enrolmentProbe,
  );
  const attempts = new EnrolmentAttempts(repos.alerts, transactions, clock, ids, config.registry.enrolmentAttempts);
  const contacts = new ContactBook(repos.contacts, core.dataKeys, clock);
  const enrolment = new EnrolmentService(
    engine,
    access,
    commits,
    repos,
    core.personKeys,
    clock,
    ids,
    thresholds,
    attempts,
    contacts,
  );
  const alerts = new AlertsService(repos.alerts, access);
  const matching = new MatchingService(engine, gallery, access, audit, idempotency, pseudonyms, thresholds);
  const erasure = new Erasure(repos, transactions, matcher, core.personKeys, audit, clock);
  const records = new PersonRecords(repos);
  const persons = new PersonsService(repos, transactions, records, access, erasure, audit, clock);
  const adjudications = new AdjudicationsService(repos.adjudications, transactions, access, audit, clock);
  const notifier =
    overrides.notifier ??
    (config.notify.webhookUrl ? new WebhookNotifier(config.notify.webhookUrl) : new LogNotifier(log));
  const outbox = new NotificationOutbox(repos.notifications, contacts, notifier, clock);
  const incidents = new IncidentsService(repos, transactions, access, audit, core.renewal, outbox, clock, ids);
  const faces = new CitizenFaceCheck({ engine, ...gallery }, audit, config.engine.matchThreshold);
  const throttle = new SignInThrottle(repos.signInCounters, clock, {
    maxPerSource: config.citizen.maxSignInsPerSource,
    maxPerPerson: config.citizen.maxFailedSignIns,
    windowMinutes: config.citizen.throttleWindowMinutes,
  });
  const delivery = overrides.delivery ?? messageDelivery(config.messages);
  const sessionRepos = { sessions: repos.citizenSessions, persons: repos.persons };
  const sessions = new CitizenSessionsService(
    sessionRepos,
    transactions,
    faces,
    throttle,
    audit,
    clock,
    config.citizen,
  );
  const signIn = new CitizenSignInService(
    sessionRepos,
    transactions,
    faces,
    sessions,
    throttle,
    { contacts, delivery },
    access,
    audit,
    clock,
    config.citizen,
  );
  const contactChanges = new ContactChanges(
    sessionRepos,
    transactions,
    { contacts, delivery },
    throttle,
    audit,
    clock,
    config.citizen,
  );
  const subjects = new CitizenSubjects(access);
  const citizenNames = new CitizenNames(repos, subjects);
  const usage = new UsageService(repos.usage, transparency, config.engine.matchThreshold);
  const receipts = new LogReceipts(repos.audit, transparency);
  const consents = new CitizenConsentsService(repos, subjects, audit, receipts, idempotency, clock, ids);
  const people = { contacts, pseudonyms };
  const account = new CitizenAccountService(repos, transactions, subjects, erasure, people, audit, clock);
  const citizenRecords = new CitizenRecordsService(repos, subjects, records, contacts, usage, audit, clock);
  const identityDocuments = new IdentityDocuments(
    () => DocumentReader.start({ ocr: config.documents.ocr, intake: config.engine.intake }, engine, clock),
    engine,
    gallery,
    access,
    { audit, idempotency, pseudonyms },
    repos,
    { secrets: core.systemKeys, dataKeys: core.dataKeys },
    clock,
    ids,
    thresholds,
  );
  const captureQuality = new CaptureQualityService(engine, access, {
    requireLiveness: config.registry.requireLiveness,
    minLivenessContext: config.engine.minLivenessContext,
  });
  return {
    ...{ transparency, keys, enrolment, matching, persons, adjudications, alerts, outbox, incidents, sessions, signIn },
    ...{ delivery, contacts, contactChanges, auditorEntries },
    ...{ consents, account, citizenRecords, captureQuality, identityDocuments, citizenNames },
  };
}
