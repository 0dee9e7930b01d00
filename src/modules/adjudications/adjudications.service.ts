import type { Transactor } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AdjudicationRow, AdjudicationsRepository } from './adjudications.repository.js';

export interface Adjudication {
  readonly id: string;
  readonly segment: string;
  readonly candidatePersonId: string;
  readonly score: number;
  readonly channel: string;
  readonly requestedBy: string;
  readonly status: AdjudicationRow['status'];
  readonly note: string | null;
  readonly createdAt: string;
  readonly resolvedBy: string | null;
  readonly resolvedAt: string | null;
  readonly enrolledPersonId: string | null;
}

/**
 * Duplicate enrolments go to the segment's operator: `same_person` confirms the refusal (a second identity
 * for one face, the fraud telecom rules exist to stop); `different_people` records a false match (look-alikes,
 * twins) for the operator to handle, for example by enrolling the person at a supervised desk.
 */
export class AdjudicationsService {
  constructor(
    private readonly adjudications: AdjudicationsRepository,
    private readonly transactions: Transactor,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(ctx: CallContext, status: AdjudicationRow['status'] | undefined, limit: number): Promise<Adjudication[]> {
    await this.access.authoriseOperator(ctx, 'adjudication.list');
    const segments = ctx.principal.role === 'admin' ? undefined : ctx.principal.segments;
    const rows = await this.adjudications.list(
      { ...(segments ? { segments } : {}), ...(status ? { status } : {}) },
      limit,
    );
    return rows.map(toAdjudication);
  }

  async resolve(
    ctx: CallContext,
    id: string,
    input: { decision: 'same_person' | 'different_people'; note?: string | undefined },
  ): Promise<Adjudication> {
    const row = await this.adjudications.find(id);
    if (!row) throw new AppError('adjudication.not_found', `no adjudication ${id}`, { id });
    await this.access.authoriseOperator(ctx, 'adjudication.resolve', row.segment_id);
    const at = isoNow(this.clock);
    await this.transactions.transaction(async (tx) => {
      const done = await this.adjudications.resolve(tx, id, {
        status: input.decision,
        note: input.note ?? null,
        by: ctx.principal.id,
        at,
      });
      if (!done) throw new AppError('adjudication.resolved', `adjudication ${id} is already resolved`, { id });
      await this.audit.record(tx, ctx, {
        action: 'adjudication.resolve',
        result: input.decision,
        segmentId: row.segment_id,
        personId: row.candidate_person_id,
        detail: { adjudicationId: id },
      });
    });
    return toAdjudication({
      ...row,
      status: input.decision,
      note: input.note ?? null,
      resolved_by: ctx.principal.id,
      resolved_at: at,
    });
  }
}

function toAdjudication(r: AdjudicationRow): Adjudication {
  return {
    id: r.id,
    segment: r.segment_id,
    candidatePersonId: r.candidate_person_id,
    score: r.score,
    channel: r.channel,
    requestedBy: r.requested_by,
    status: r.status,
    note: r.note,
    createdAt: r.created_at,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at,
    enrolledPersonId: r.enrolled_person_id,
  };
}
