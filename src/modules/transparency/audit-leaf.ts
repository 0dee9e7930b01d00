import { createHmac } from 'node:crypto';

/**
 * The bytes of one audit record as a leaf of the transparency log: what the Merkle tree commits to, and what
 * the log publishes. Format version 1 is the UTF-8 encoding of this JSON object, canonical per RFC 8785 (keys
 * sorted by UTF-16 code units, no whitespace, ECMAScript number and string serialisation):
 *
 *   {"action":…,"actorId":…,"actorRole":…,"at":…,"detail":…,"id":…,"personRef":…,"purpose":…,
 *    "requestId":…,"result":…,"score":…,"segmentId":…,"templateId":…,"v":1}
 *
 * Every key is always present. Each value is its `audit_events` column exactly as stored: text columns as JSON
 * strings (or null), `score` as a JSON number (or null), `detail` as the stored JSON text inside a string (not
 * re-parsed, so the leaf covers its very bytes). The person appears only as `personRef`, the keyed hash
 * HMAC-SHA256(deployment secret, person id) in lowercase hex (null when the record names no person), so the
 * log can be published without personal data: only the registry can tell whose records share a `personRef`.
 * `seq` (a storage detail) and the leaf's own index and hash are not part of the leaf. Pure: no I/O.
 */
export const AUDIT_LEAF_VERSION = 1;

/** The person's keyed reference in the log: lowercase hex HMAC-SHA256(key, person id in UTF-8). */
export function personRef(key: Uint8Array, personId: string): string {
  return createHmac('sha256', key).update(personId, 'utf8').digest('hex');
}

/** The columns of an audit record that its leaf covers, as stored, with the person's keyed hash. */
export interface AuditLeafFields {
  readonly id: string;
  readonly at: string;
  readonly actor_id: string;
  readonly actor_role: string;
  readonly action: string;
  readonly purpose: string | null;
  readonly segment_id: string | null;
  readonly template_id: string | null;
  readonly result: string;
  readonly score: number | null;
  readonly request_id: string | null;
  readonly detail: string | null;
  readonly person_ref: string | null;
}

/**
 * The canonical JSON text of a record's leaf (its bytes are this text in UTF-8).
 * @example auditLeaf(row) // '{"action":"principal.create","actorId":"adm_…",…,"templateId":null,"v":1}'
 */
export function auditLeaf(row: AuditLeafFields): string {
  return canonical({ ...recordFields(row), personRef: row.person_ref, v: AUDIT_LEAF_VERSION });
}

/** The record's columns both formats hold, under their JSON names (all but the person). */
function recordFields(row: Omit<AuditLeafFields, 'person_ref'>): Record<string, string | number | null> {
  if (row.score !== null && !Number.isFinite(row.score)) throw new RangeError(`audit ${row.id}: score is not finite`);
  return {
    action: row.action,
    actorId: row.actor_id,
    actorRole: row.actor_role,
    at: row.at,
    detail: row.detail,
    id: row.id,
    purpose: row.purpose,
    requestId: row.request_id,
    result: row.result,
    score: row.score,
    segmentId: row.segment_id,
    templateId: row.template_id,
  };
}

/** The leaf's bytes: {@link auditLeaf} in UTF-8. */
export function auditLeafBytes(row: AuditLeafFields): Buffer {
  return Buffer.from(auditLeaf(row), 'utf8');
}

/**
 * Format version 2 (issue 9): the public leaf holds only a salted commitment to the entry, so the published
 * log proves that an entry exists and never changes without telling anyone whom it concerns or linking two
 * entries:
 *
 *   entry  = canonical JSON {"action","actorId","actorRole","at","detail","id","personId","purpose",
 *            "requestId","result","score","segmentId","templateId","v":2} (same rules as version 1, with the
 *            person's own id in place of personRef)
 *   salt   = HMAC-SHA256(deployment secret, "oblik-audit-salt/v2|" ‖ entry id): 32 bytes, derived, never stored
 *   leaf   = canonical JSON {"commitment": lowercase hex HMAC-SHA256(salt, entry), "v": 2}
 *
 * The citizen receives their entries with their salts and recomputes the leaf; an auditor reads full entries.
 */
export const AUDIT_LEAF_V2 = 2;
const SALT_CONTEXT = 'oblik-audit-salt/v2|';

/** The columns of an audit record that its entry (and its row MAC) cover, as stored. */
export type AuditEntryFields = Omit<AuditLeafFields, 'person_ref'> & { readonly person_id: string | null };

/** The canonical JSON text of a record's entry (version 2). */
export function auditEntry(row: AuditEntryFields): string {
  return canonical({ ...recordFields(row), personId: row.person_id, v: AUDIT_LEAF_V2 });
}

/** The entry's salt: HMAC-SHA256(key, "oblik-audit-salt/v2|" ‖ id). */
export function entrySalt(key: Uint8Array, entryId: string): Buffer {
  return createHmac('sha256', key)
    .update(SALT_CONTEXT + entryId, 'utf8')
    .digest();
}

/** The version 2 leaf text of an entry under its salt. */
export function commitmentLeaf(entry: string, salt: Uint8Array): string {
  const commitment = createHmac('sha256', salt).update(entry, 'utf8').digest('hex');
  return canonical({ commitment, v: AUDIT_LEAF_V2 });
}

/** The MAC a row carries from its write: HMAC-SHA256(key, "oblik-audit-row/v1|" ‖ entry), lowercase hex. */
export function auditRowMac(key: Uint8Array, row: AuditEntryFields): string {
  return createHmac('sha256', key)
    .update('oblik-audit-row/v1|' + auditEntry(row), 'utf8')
    .digest('hex');
}

/**
 * A score as the audit trail stores it: 6 significant digits, which PostgreSQL's `real` (float4) and SQLite's
 * double both give back exactly, so the MAC and the commitment recompute to the same bytes on either store.
 */
export function auditScore(score: number | undefined): number | null {
  return score === undefined ? null : Number(score.toPrecision(6));
}

function canonical(fields: Record<string, string | number | null>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(fields)
        .sort()
        .map((k) => [k, fields[k] ?? null]),
    ),
  );
}
