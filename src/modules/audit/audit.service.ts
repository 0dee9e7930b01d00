import type { Transactor, Tx } from '../../db/executor.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { CallContext } from '../access/principal.js';
import { auditRowMac, auditScore } from '../transparency/audit-leaf.js';
import type { AuditEventRow, AuditRepository } from './audit.repository.js';

/** The sealed system key that authenticates every audit row at write (a forged row lacks its MAC). */
export const AUDIT_ROW_MAC_KEY = 'audit-row-mac';

/** Every kind of audited action (the `action` column; part of the published log's format). */
export const AUDIT_ACTIONS = [
  'enrolment',
  'template.add',
  'verification',
  'identification',
  'person.delete',
  'person.view',
  'segment.create',
  'segment.policy',
  'segment.rekey',
  'principal.create',
  'principal.revoke',
  'principal.signing_key',
  'adjudication.list',
  'adjudication.resolve',
  'key.rotate',
  'guardian.add',
  'guardian.remove',
  'citizen.sign_in',
  'citizen.sign_in_code',
  'consent.grant',
  'consent.revoke',
  'lock.add',
  'lock.remove',
  'lock.unlock',
  'biometrics.erase',
  'account.close',
  'data.export',
  'incident.open',
  'metrics.read',
  'alert.list',
  'transparency.adopt',
  'transparency.entries_read',
  'contact.change',
  // Administrative reads: audited only when refused.
  'principal.list',
  'key.list',
  'audit.read',
  // A citizen's reads of their own (or a minor's) data: audited only when refused.
  'citizen.read',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What happened, as recorded: who did it comes from the call context. */
export interface AuditFact {
  readonly action: AuditAction;
  /** `match`, `no_match`, `enrolled`, `duplicate`, `deleted`, `refused:<code>`, … */
  readonly result: string;
  readonly purpose?: string | undefined;
  readonly segmentId?: string | undefined;
  readonly personId?: string | undefined;
  readonly templateId?: string | undefined;
  readonly score?: number | undefined;
  readonly detail?: Record<string, unknown> | undefined;
}

/**
 * Writes audit records. `record` takes the transaction of the effect it describes, so an effect and its
 * record commit or vanish together.
 */
export class AuditService {
  constructor(
    private readonly events: AuditRepository,
    private readonly transactions: Transactor,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    /** The unwrapped `audit-row-mac` key: loaded before any transaction (SQLite has one connection). */
    private readonly macKey: Buffer,
  ) {}

  /** Appends the record in the effect's transaction; returns its id (its leaf is found by it once integrated). */
  async record(tx: Tx, ctx: CallContext, fact: AuditFact): Promise<string> {
    const id = this.ids.next('evt');
    const row = {
      id,
      at: isoNow(this.clock),
      actor_id: ctx.principal.id,
      actor_role: ctx.principal.role,
      action: fact.action,
      purpose: fact.purpose ?? null,
      segment_id: fact.segmentId ?? null,
      person_id: fact.personId ?? null,
      template_id: fact.templateId ?? null,
      result: fact.result,
      score: auditScore(fact.score),
      request_id: ctx.requestId,
      detail: fact.detail ? JSON.stringify(fact.detail) : null,
    };
    await this.events.append(tx, { ...row, mac: auditRowMac(this.macKey, row) });
    return id;
  }

  /** A record with no other effect (a refused request), in its own transaction. */
  recordAlone(ctx: CallContext, fact: AuditFact): Promise<string> {
    return this.transactions.transaction((tx) => this.record(tx, ctx, fact));
  }
}

export function toAuditEvent(row: AuditEventRow) {
  return {
    seq: row.seq,
    id: row.id,
    at: row.at,
    actorId: row.actor_id,
    actorRole: row.actor_role,
    action: row.action,
    purpose: row.purpose,
    segmentId: row.segment_id,
    personId: row.person_id,
    templateId: row.template_id,
    result: row.result,
    score: row.score,
    requestId: row.request_id,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
  };
}
