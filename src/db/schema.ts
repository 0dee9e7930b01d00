import type { Generated } from 'kysely';

/**
 * The store's tables as Kysely sees them, identical on SQLite and PostgreSQL. Instants are ISO-8601 UTC text
 * (they sort as they compare on both dialects); lists are JSON text; ids are opaque prefixed random strings.
 */
export interface Database {
  segments: SegmentTable;
  segment_keys: SegmentKeyTable;
  principals: PrincipalTable;
  persons: PersonTable;
  consent_grants: ConsentGrantTable;
  person_locks: PersonLockTable;
  guardianships: GuardianshipTable;
  person_keys: PersonKeyTable;
  segment_transforms: SegmentTransformTable;
  citizen_sessions: CitizenSessionTable;
  sign_in_codes: SignInCodeTable;
  sign_in_challenges: SignInChallengeTable;
  sign_in_counters: SignInCounterTable;
  pseudonyms: PseudonymTable;
  person_contacts: PersonContactTable;
  incidents: IncidentTable;
  notifications: NotificationTable;
  templates: TemplateTable;
  adjudications: AdjudicationTable;
  audit_events: AuditEventTable;
  idempotency_records: IdempotencyRecordTable;
  template_events: TemplateEventTable;
  tree_heads: TreeHeadTable;
  log_state: LogStateTable;
  system_keys: SystemKeyTable;
  person_documents: PersonDocumentTable;
  telecom_contracts: TelecomContractTable;
  telecom_port_requests: TelecomPortRequestTable;
  telecom_fraud_alerts: TelecomFraudAlertTable;
  enrolment_attempts: EnrolmentAttemptTable;
  operator_alerts: OperatorAlertTable;
  transit_tariffs: TransitTariffTable;
  transit_gates: TransitGateTable;
  transit_riders: TransitRiderTable;
  transit_passes: TransitPassTable;
  payment_charges: PaymentChargeTable;
  parking_facilities: ParkingFacilityTable;
  parking_sessions: ParkingSessionTable;
  parking_events: ParkingEventTable;
  venues: VenueTable;
  venue_access: VenueAccessTable;
  venue_entries: VenueEntryTable;
  schools: SchoolTable;
  school_pupils: SchoolPupilTable;
  school_meals: SchoolMealTable;
  person_provenance: PersonProvenanceTable;
  transfers: TransferTable;
  transfer_records: TransferRecordTable;
}

/**
 * Every template added or removed, in commit order, written in the same transaction as the change: other
 * server instances replay it to keep their matchers in step with the store.
 */
export interface TemplateEventTable {
  seq: Generated<number>;
  kind: 'added' | 'removed';
  template_id: string;
  person_id: string;
  segment_id: string;
  at: string;
}

export interface SegmentTable {
  id: string;
  name: string;
  created_at: string;
  /** The age at which a person takes over their own consent (guardians grant before it). */
  age_of_consent: Generated<number>;
  /** JSON list of the purposes a minor may be used for at all. */
  minor_purposes: Generated<string>;
}

export interface SegmentKeyTable {
  segment_id: string;
  version: number;
  /** The data key sealed with AES-256-GCM under the master key `master_key_id`. */
  wrapped_key: string;
  master_key_id: string;
  state: 'active' | 'retired';
  created_at: string;
}

export interface PrincipalTable {
  id: string;
  role: 'admin' | 'operator' | 'relying_party' | 'auditor';
  name: string;
  /** SHA-256 of the API key: keys are 256-bit random, so a slow hash would add nothing but latency. */
  key_hash: string;
  purposes: string;
  segments: string;
  rights: string;
  /** 1 if every capture for this principal must pass the liveness check, else 0 (portable boolean). */
  require_liveness: number;
  created_at: string;
  revoked_at: string | null;
  /** 1 if the party's enrolments are kept under its own template view (renewable on their own). */
  own_template_view: Generated<number>;
  /** The party's Ed25519 public key (PEM) that signs its bulk transfers; null until registered. */
  signing_key: Generated<string | null>;
}

/**
 * A person: `active` with biometrics; `deleted` once their biometrics are erased (the account, its history and
 * its grants' record stay for the citizen); `closed` once the citizen closes the account.
 */
export interface PersonTable {
  id: string;
  segment_id: string;
  status: 'active' | 'deleted' | 'closed';
  enrolled_by: string;
  created_at: string;
  deleted_at: string | null;
  /** YYYY-MM-DD, when known: decides whether the segment's rules for minors apply. */
  birth_date: string | null;
}

/** A person's consent to one relying party for one purpose; never updated but to revoke it. */
export interface ConsentGrantTable {
  id: string;
  person_id: string;
  relying_party_id: string;
  purpose: string;
  /** `segment`: only where the party works in the person's segment; `all`: also from the party's other segments. */
  scope: 'segment' | 'all';
  /** `application`: given in a relying party's application the person signed with face and document. */
  source: 'enrolment' | 'citizen' | 'guardian' | 'application';
  /** The enrolling principal, the citizen, or the guardian (a person id). */
  granted_by: string;
  granted_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** A citizen's lock on all biometric use (purpose NULL) or one purpose, with an optional temporary unlock. */
export interface PersonLockTable {
  id: string;
  person_id: string;
  purpose: string | null;
  created_by: string;
  created_at: string;
  unlocked_until: string | null;
  removed_at: string | null;
}

export interface GuardianshipTable {
  minor_id: string;
  guardian_id: string;
  created_by: string;
  created_at: string;
  removed_at: string | null;
}

/** A person's own template key, wrapped by a segment data key version; erasure deletes the row. */
export interface PersonKeyTable {
  person_id: string;
  segment_id: string;
  key_version: number;
  wrapped_key: string;
  created_at: string;
}

/** A segment's secret template transform: its seed, wrapped by a segment data key version. */
export interface SegmentTransformTable {
  segment_id: string;
  /** '' for the segment's own view; a relying party's id for that party's view. */
  view: string;
  version: number;
  key_version: number;
  wrapped_seed: string | null;
  state: 'active' | 'retiring' | 'destroyed';
  created_at: string;
  destroyed_at: string | null;
}

export interface CitizenSessionTable {
  token_hash: string;
  person_id: string;
  /**
   * How the session was opened: `face+code` (two factors), `code` (an operator-requested code alone: a step-up
   * is due before grants), `code+face` (such a session after its step-up); `face` only in sessions from before
   * two-factor sign-in (treated as needing a step-up).
   */
  method: 'face' | 'code' | 'face+code' | 'code+face';
  created_at: string;
  expires_at: string;
  ended_at: string | null;
}

export interface SignInCodeTable {
  code_hash: string;
  person_id: string;
  issued_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A sign-in (or step-up, or contact change) waiting for its one-time code; stored only as hashes. */
export interface SignInChallengeTable {
  token_hash: string;
  person_id: string;
  purpose: 'sign_in' | 'step_up' | 'contact';
  code_hash: string | null;
  code_expires_at: string | null;
  codes_sent: number;
  failures: number;
  sealed_contact: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** One throttle counter per key per window (see src/modules/citizen/sign-in-throttle.ts). */
export interface SignInCounterTable {
  counter_key: string;
  window_start: string;
  hits: number;
}

/** The id a relying party knows a person by (pairwise: different for every party). */
export interface PseudonymTable {
  relying_party_id: string;
  pseudonym: string;
  person_id: string;
  created_at: string;
}

/** A citizen's contact details for notices, sealed under the segment data key. */
export interface PersonContactTable {
  person_id: string;
  key_version: number;
  sealed_contact: Buffer;
  updated_at: string;
}

export interface IncidentTable {
  id: string;
  opened_by: string;
  responsible_kind: 'operator' | 'relying_party';
  responsible_id: string;
  segment_id: string | null;
  relying_party_id: string | null;
  window_from: string | null;
  window_to: string | null;
  description: string;
  contact: string;
  /** JSON: what the response did (templates re-keyed, credentials revoked, citizens notified). */
  actions: string;
  affected: number;
  created_at: string;
}

/** The outbox: one notice per citizen per incident, delivered by the notifier with retries. */
export interface NotificationTable {
  id: string;
  person_id: string;
  incident_id: string;
  subject: string;
  body: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface TemplateTable {
  id: string;
  person_id: string;
  segment_id: string;
  model_pack: string;
  key_version: number;
  /** nonce ‖ AES-256-GCM ciphertext ‖ tag, bound to the row by its additional data. */
  sealed_vector: Buffer;
  channel: string;
  enrolled_by: string;
  quality: string;
  liveness: number;
  created_at: string;
  /** The segment transform the vector is stored under; NULL for a raw vector from before renewable templates. */
  transform_version: number | null;
  /** Whose view of the segment: '' the segment's own, else the relying party whose enrolments it holds. */
  transform_view: string;
}

export interface AdjudicationTable {
  id: string;
  segment_id: string;
  candidate_person_id: string;
  score: number;
  channel: string;
  requested_by: string;
  status: 'open' | 'same_person' | 'different_people';
  note: string | null;
  created_at: string;
  resolved_by: string | null;
  resolved_at: string | null;
  /** After a `different_people` resolution, the person the refused face was then enrolled as (once only). */
  enrolled_person_id: string | null;
}

export interface AuditEventTable {
  seq: Generated<number>;
  id: string;
  at: string;
  actor_id: string;
  actor_role: string;
  action: string;
  purpose: string | null;
  segment_id: string | null;
  person_id: string | null;
  template_id: string | null;
  result: string;
  score: number | null;
  request_id: string | null;
  detail: string | null;
  /** HMAC-SHA256 of person_id under the deployment's `audit-person-ref` secret (hex): the leaf's only person field. */
  person_ref: string | null;
  /** RFC 9162 leaf hash (hex) of the record's leaf bytes; set with leaf_index when the log integrates it. */
  leaf_hash: string | null;
  /** The record's position in the transparency log; NULL until integrated. */
  leaf_index: number | null;
  /** The format of its leaf (1: the record, 2: a salted commitment to it); NULL until integrated. */
  leaf_version: number | null;
  /** HMAC-SHA256 (hex) of the canonical entry under the sealed `audit-row-mac` key, written with the row. */
  mac: string | null;
  /** Why integration refused the row (it never joins the log); NULL otherwise. */
  refusal: string | null;
}

/** A signed tree head of the transparency log (src/modules/transparency/tree-head.ts). */
export interface TreeHeadTable {
  tree_size: number;
  root_hash: string;
  /** Milliseconds since the epoch (UTC), as signed. */
  timestamp: number;
  signature: string;
  key_id: string;
}

/** One row (id 1): the log's size. Integration starts by updating it, which serialises integrating instances. */
export interface LogStateTable {
  id: number;
  tree_size: number;
  /** Rows up to this sequence number predate row MACs: only they may join the log without one. */
  mac_from_seq: number;
}

/** A deployment-wide secret or signing key, wrapped by the master key `master_key_id`. */
export interface SystemKeyTable {
  name: string;
  wrapped_key: string;
  /** For a signing key: its raw public key (base64); NULL for a secret. */
  public_key: string | null;
  master_key_id: string;
  created_at: string;
}

export interface IdempotencyRecordTable {
  principal_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: string;
  created_at: string;
}

/**
 * The registry's one record of a person's identity document: a keyed hash (HMAC under the system secret
 * `documents`) of the document's kind, issuer and number, never the number itself. One face under two
 * documents is caught by it.
 */
export interface PersonDocumentTable {
  person_id: string;
  document_hash: string;
  bound_by: string;
  bound_at: string;
}

/**
 * A mobile contract of one operator (src/services/telecom/). `holder_ref` names the subscriber alike for every
 * operator (the registry's document reference for the purpose); `person_ref` is the operator's own pseudonym.
 * At most one contract that is not `ended` holds a number (a partial unique index).
 */
export interface TelecomContractTable {
  id: string;
  operator_id: string;
  msisdn: string;
  holder_ref: string;
  person_ref: string;
  segment_id: string;
  status: 'active' | 'ending' | 'ended';
  started_at: string;
  /** When a requested ending takes effect (set while `ending`, kept once ended). */
  ends_at: string | null;
  ending_requested_at: string | null;
  ended_at: string | null;
  end_reason: 'termination' | 'ported' | null;
  /** `new`: the registry enrolled the subscriber for this contract; `known`: it knew them. */
  registry: 'new' | 'known';
  /** The subscriber's document (number, names, birth date, nationality, expiry), sealed by the registry. */
  sealed_document: string;
  port_request_id: string | null;
  created_at: string;
}

/** A request to move a number to another operator; its states are those of port-request-state.ts. */
export interface TelecomPortRequestTable {
  id: string;
  msisdn: string;
  recipient_operator_id: string;
  donor_operator_id: string;
  donor_contract_id: string;
  /** The contract the recipient starts at the switch (its id is chosen up front: the sealed record names it). */
  recipient_contract_id: string;
  holder_ref: string;
  person_ref: string;
  segment_id: string;
  registry: 'new' | 'known';
  sealed_document: string;
  status: 'pending' | 'switched' | 'cancelled' | 'objected' | 'expired';
  requested_at: string;
  switch_at: string;
  objection_reason: string | null;
  closed_at: string | null;
  close_reason: string | null;
}

/** A fraud alert for an operator (one face under two documents). */
export interface TelecomFraudAlertTable {
  id: string;
  operator_id: string;
  kind: 'identity_conflict';
  /** The operator's pseudonym of the person whose face was presented. */
  person_ref: string;
  msisdn: string | null;
  created_at: string;
}

/** Enrolment attempts of one relying party in one window (counted atomically, one upsert per attempt). */
export interface EnrolmentAttemptTable {
  relying_party_id: string;
  /** The window's start instant. */
  window_start: string;
  attempts: number;
}

/** An alert for the operators of a segment (and administrators). */
export interface OperatorAlertTable {
  id: string;
  kind: 'enrolment.attempts';
  segment_id: string;
  relying_party_id: string;
  /** JSON: what crossed which threshold. */
  detail: string;
  created_at: string;
}

/** A transit operator's tariff (src/services/transit/), in minor units of `currency`. */
export interface TransitTariffTable {
  operator_id: string;
  currency: string;
  base_fare: number;
  transfer_minutes: number;
  daily_cap: number;
  updated_at: string;
}

/** A gate (turnstile) an operator registered; a pass from any other gate is refused. */
export interface TransitGateTable {
  operator_id: string;
  gate_id: string;
  name: string;
  created_at: string;
}

/** A rider: the operator's pseudonym of a person, linked to a payment token; blocked while a charge is owed. */
export interface TransitRiderTable {
  operator_id: string;
  rider_ref: string;
  payment_token: string;
  /** 1 while blocked (a declined charge not yet settled). */
  blocked: number;
  /** Minor units owed: charges declined after the rider went through. */
  debt: number;
  created_at: string;
}

/** One gate pass and the answer the gate got (replayed for the same `event_id`). */
export interface TransitPassTable {
  id: string;
  operator_id: string;
  event_id: string;
  request_hash: string;
  gate_id: string;
  rider_ref: string | null;
  decision: 'open' | 'refuse';
  reason: string | null;
  charge_id: string | null;
  /** `charging` from the decision until its charge is first answered by the port; then `done`. */
  state: 'charging' | 'done';
  /** The answer as JSON. */
  answer: string;
  created_at: string;
}

/** The payment outbox: a charge is written with its decision and sent to the payment port after the commit. */
export interface PaymentChargeTable {
  id: string;
  operator_id: string;
  /** The operator's pseudonym of the person charged. */
  payer_ref: string;
  service: 'transit' | 'parking';
  amount: number;
  currency: string;
  rule: string;
  /** The payment token charged; null for a charge recorded only (parking has no linked payment method). */
  token: string | null;
  /** `void`: declined at the gate, which then stayed shut (nothing owed); `invoiced`: recorded, not collected. */
  status: 'pending' | 'captured' | 'declined' | 'void' | 'invoiced' | 'settled';
  attempts: number;
  created_at: string;
  settled_at: string | null;
}

/** A car park of a parking operator, with its duration tariff in minor units. */
export interface ParkingFacilityTable {
  id: string;
  operator_id: string;
  name: string;
  segment_id: string;
  currency: string;
  free_minutes: number;
  per_hour: number;
  daily_max: number;
  created_at: string;
}

/** A stay in a car park, from the entry event to the exit event. */
export interface ParkingSessionTable {
  id: string;
  operator_id: string;
  facility_id: string;
  parker_ref: string;
  plate: string | null;
  status: 'open' | 'closed';
  entered_at: string;
  exited_at: string | null;
  charge_id: string | null;
}

/** A parking event's answer, replayed for the same `event_id`. */
export interface ParkingEventTable {
  operator_id: string;
  event_id: string;
  request_hash: string;
  answer: string;
  created_at: string;
}

/** A venue or office of one relying party (src/services/venues/); its people are searched in `segment_id`. */
export interface VenueTable {
  id: string;
  relying_party_id: string;
  name: string;
  segment_id: string;
  created_at: string;
}

/** A person's pass for a venue, by the party's pseudonym; a visitor's has a window and a number of uses. */
export interface VenueAccessTable {
  id: string;
  venue_id: string;
  person_ref: string;
  kind: 'staff' | 'visitor';
  valid_from: string | null;
  valid_to: string | null;
  /** NULL: unlimited. */
  uses: number | null;
  uses_spent: Generated<number>;
  created_at: string;
  revoked_at: string | null;
}

/** One face at a door: the decision, keyed by the door's event id. */
export interface VenueEntryTable {
  venue_id: string;
  event_id: string;
  door_id: string;
  decision: 'open' | 'refuse';
  reason: string | null;
  person_ref: string | null;
  access_id: string | null;
  at: string;
}

/** A school of one relying party (src/services/schools/). */
export interface SchoolTable {
  id: string;
  relying_party_id: string;
  name: string;
  segment_id: string;
  created_at: string;
}

/** A pupil (the school's pseudonym for them) and their daily meal allowance in minor currency units. */
export interface SchoolPupilTable {
  id: string;
  school_id: string;
  person_ref: string;
  daily_allowance: number;
  created_at: string;
}

/** One face at a canteen: served or refused, keyed by the till's event id; `day` is the UTC date. */
export interface SchoolMealTable {
  school_id: string;
  event_id: string;
  pupil_id: string | null;
  decision: 'serve' | 'refuse';
  reason: string | null;
  amount: number;
  day: string;
  at: string;
}

/** Where a person's biometrics came from when another party (a bank's transfer) handed them over. */
export interface PersonProvenanceTable {
  person_id: string;
  /** The relying party that collected them. */
  source_party: string;
  /** That party's own reference for the record (the bank's `externalRef`). */
  reference: string;
  captured_at: string;
  received_at: string;
  /** JSON: the consent evidence the party handed over `{kind, reference, at}`. */
  evidence: string;
}

/** A bank's signed batch, spooled to a file and processed in the background (src/services/transfers/). */
export interface TransferTable {
  id: string;
  bank_id: string;
  /** SHA-512 of the body, hex: the same batch sent again is refused. */
  digest: string;
  status: 'queued' | 'processing' | 'done';
  spool_file: string;
  total: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** One line of a transfer, written once when decided (its absence means still to do). */
export interface TransferRecordTable {
  transfer_id: string;
  line_no: number;
  external_ref: string | null;
  /** `bank_id + externalRef` on the record that claims the reference; unique, so nothing is imported twice. */
  claim_ref: string | null;
  outcome: 'accepted' | 'duplicate' | 'rejected';
  /** The bank's pseudonym for the person, when accepted. */
  pseudonym: string | null;
  adjudication_id: string | null;
  error_code: string | null;
  processed_at: string;
}
