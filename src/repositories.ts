import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { createAdjudicationsRepository } from './modules/adjudications/adjudications.repository.js';
import { createAlertsRepository } from './modules/alerts/alerts.repository.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';
import { createCitizenSessionsRepository } from './modules/citizen/citizen-sessions.repository.js';
import { createSignInCountersRepository } from './modules/citizen/sign-in-counters.repository.js';
import { createUsageRepository } from './modules/citizen/usage.repository.js';
import { createConsentRepository } from './modules/consent/consent.repository.js';
import { createHealthRepository } from './modules/health/health.repository.js';
import { createIdentityDocumentsRepository } from './modules/identity-documents/identity-documents.repository.js';
import { createIdempotencyRepository } from './modules/idempotency/idempotency.repository.js';
import { createIncidentsRepository } from './modules/incidents/incidents.repository.js';
import { createSegmentKeysRepository } from './modules/keys/segment-keys.repository.js';
import { createSystemKeysRepository } from './modules/keys/system-keys.repository.js';
import { createContactsRepository } from './modules/notifications/contacts.repository.js';
import { createNotificationsRepository } from './modules/notifications/notifications.repository.js';
import { createPersonsRepository } from './modules/persons/persons.repository.js';
import { createProvenanceRepository } from './modules/persons/provenance.repository.js';
import { createPrincipalsRepository } from './modules/principals/principals.repository.js';
import { createPseudonymsRepository } from './modules/pseudonyms/pseudonyms.repository.js';
import { createSegmentsRepository } from './modules/segments/segments.repository.js';
import { createPersonKeysRepository } from './modules/templates/person-keys.repository.js';
import { createTemplateEventsRepository } from './modules/templates/template-events.repository.js';
import { createTemplatesRepository } from './modules/templates/templates.repository.js';
import { createTransformsRepository } from './modules/templates/transforms.repository.js';
import { createTransparencyRepository } from './modules/transparency/transparency.repository.js';

export type { GrantRow, LockRow } from './modules/consent/consent.repository.js';
export type { PersonRow } from './modules/persons/persons.repository.js';
export type { PrincipalRow } from './modules/principals/principals.repository.js';

/**
 * Every registry repository over one store, built once by the composition (logto's `tenants/Queries.ts`
 * pattern). A service receives only the repositories it uses, typed `Repositories['persons']`, so no module
 * imports another module's repository and a test hands a service simple fakes. Relying-party applications
 * (src/services/) get none of these: they reach the registry through its services.
 */
export function createRepositories(db: Kysely<Database>) {
  return {
    adjudications: createAdjudicationsRepository(db),
    alerts: createAlertsRepository(db),
    audit: createAuditRepository(db),
    citizenSessions: createCitizenSessionsRepository(db),
    consent: createConsentRepository(db),
    contacts: createContactsRepository(db),
    health: createHealthRepository(db),
    idempotency: createIdempotencyRepository(db),
    identityDocuments: createIdentityDocumentsRepository(db),
    incidents: createIncidentsRepository(db),
    notifications: createNotificationsRepository(db),
    personKeys: createPersonKeysRepository(db),
    persons: createPersonsRepository(db),
    principals: createPrincipalsRepository(db),
    provenance: createProvenanceRepository(db),
    pseudonyms: createPseudonymsRepository(db),
    segmentKeys: createSegmentKeysRepository(db),
    segments: createSegmentsRepository(db),
    signInCounters: createSignInCountersRepository(db),
    systemKeys: createSystemKeysRepository(db),
    templateEvents: createTemplateEventsRepository(db),
    templates: createTemplatesRepository(db),
    transforms: createTransformsRepository(db),
    transparency: createTransparencyRepository(db),
    usage: createUsageRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
