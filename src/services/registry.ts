import { createHash } from 'node:crypto';
import type { CallContext } from '../modules/access/principal.js';
import type { CitizenNames } from '../modules/citizen/citizen-names.js';
import type { EnrolmentService } from '../modules/enrolment/enrolment.service.js';
import type { IdentityDocuments } from '../modules/identity-documents/identity-documents.service.js';
import type { MatchingService } from '../modules/matching/matching.service.js';
import type { PartyNames } from '../modules/pseudonyms/party-names.js';
import type { PrincipalsService } from '../modules/principals/principals.service.js';

export type { Tx } from '../db/executor.js';
export type { Effect } from '../modules/access/effect.js';
export type { CallContext, Principal } from '../modules/access/principal.js';
export type { CitizenSession } from '../modules/citizen/citizen-sessions.service.js';
export type { EnrolmentResult, NewEnrolment, Provenance } from '../modules/enrolment/enrolment.service.js';
export type { DocumentInput, DocumentReading } from '../documents/document-reader.js';
export type { MrzDocument } from '../documents/mrz.js';
export type { Presentation, PresentationRequest } from '../modules/identity-documents/identity-documents.service.js';
export type {
  Identification,
  IdentificationRequest,
  Verification,
  VerificationRequest,
} from '../modules/matching/matching.service.js';

/**
 * The registry as a relying-party application sees it: the only door from `src/services/<name>/` (transit,
 * parking, venues, schools, telecom, Wi-Fi, transfers) into the registry. Every call runs the registry's one
 * authorisation step for the calling party (`ctx.principal` is the service's own relying party, with its
 * purposes and segments), checks consent, locks and erasure, names people by that party's pseudonyms, and
 * writes the audit record. A service commits its own rows through an {@link Effect}, in the registry's
 * transaction, so its effect and the audit record of the match commit or roll back together.
 *
 * A service never imports a registry repository, the matcher or the template store (the lint configuration
 * refuses it); it owns its own repositories for its own tables.
 *
 * @example
 * // A gate pass: identify, then charge the rider, in one transaction with the identification's audit record.
 * const answer = await registry.matching.identify(
 *   idempotentCall(ctx, `transit-pass:${gateId}:${eventId}`, { gateId, eventId }),
 *   { image, purpose: 'transit_fare', limit: 2 },
 *   async (tx, found) => decidePass(tx, found.candidates), // writes the pass and the charge through `tx`
 * );
 */
export interface RegistryServices {
  readonly matching: Pick<MatchingService, 'verify' | 'identify' | 'admitMember'>;
  readonly enrolment: Pick<EnrolmentService, 'enrol' | 'addTemplate'>;
  /**
   * Identity documents: read one (MRZ text or image), an application signed with face and document
   * (`present`: 1:N in the segment, the registry's keyed hash of the document per person, the consent the
   * application gives), the document of a person just enrolled (`bindEnrolled`), the citizen's own reference
   * (`holderRefOf`), and the party's records about a person sealed under the segment's data key.
   */
  readonly identityDocuments: Pick<
    IdentityDocuments,
    'read' | 'present' | 'bindEnrolled' | 'holderRefOf' | 'sealRecord' | 'openRecord'
  >;
  /** Whether the party knows a pseudonym; a signed-in citizen's pseudonyms per party (for their own pages). */
  readonly names: Pick<PartyNames, 'known' | 'namesOf'>;
  /** The pseudonyms a signed-in citizen (or a minor in their care) is known by, for views of a party's records. */
  readonly citizenNames: Pick<CitizenNames, 'of'>;
  /**
   * Relying parties as the registry knows them: a party's registered signing key (a bank signs its batches),
   * and an active party by id, for work done on its behalf after its request (a transfer resumed at start).
   */
  readonly parties: Pick<PrincipalsService, 'signingKeyOf' | 'activeParty'>;
}

/**
 * The call context for a service's own idempotent event (a gate's `eventId`, a bank record's `externalRef`):
 * the registry stores the answer (the effect's value) under this key in the effect's transaction, so the same
 * event answers the same after a retry or a restart and its effect is never applied twice. `request` is what
 * must not change between the event's retries (the same key with another request is refused).
 */
export function idempotentCall(ctx: CallContext, key: string, request: unknown): CallContext {
  const requestHash = createHash('sha256')
    .update(`${key}\n`)
    .update(JSON.stringify(request ?? null))
    .digest('hex');
  return { ...ctx, idempotency: { key, requestHash } };
}
