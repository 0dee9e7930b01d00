import type { Tx } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { CallContext } from '../access/principal.js';
import type { Repositories } from '../../repositories.js';
import type { AuditService } from '../audit/audit.service.js';

/**
 * Duplicate enrolments and their adjudication: a refused duplicate opens a case for the segment's operator (in
 * the refusal's transaction, with its audit record), and a case ruled `different_people` lets the party that
 * opened it enrol the face once.
 */
export class DuplicateCases {
  constructor(
    private readonly adjudications: Repositories['adjudications'],
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  /** A case this party opened, in this segment, resolved as different people and not yet used. */
  async cleared(ctx: CallContext, id: string, segment: string) {
    const row = await this.adjudications.find(id);
    if (!row || row.requested_by !== ctx.principal.id || row.segment_id !== segment) {
      throw new AppError('adjudication.not_found', `no adjudication ${id} of yours in ${segment}`, { id });
    }
    if (row.status !== 'different_people' || row.enrolled_person_id !== null) throw notCleared(id);
    return row;
  }

  async refuse(
    tx: Tx,
    ctx: CallContext,
    segment: string,
    channel: string,
    hit: { owner: string; score: number },
    action: 'enrolment' | 'template.add',
  ): Promise<AppError> {
    const adjudicationId = this.ids.next('adj');
    await this.adjudications.insert(tx, {
      id: adjudicationId,
      segment_id: segment,
      candidate_person_id: hit.owner,
      score: hit.score,
      channel,
      requested_by: ctx.principal.id,
      status: 'open',
      note: null,
      created_at: isoNow(this.clock),
      resolved_by: null,
      resolved_at: null,
      enrolled_person_id: null,
    });
    await this.audit.record(tx, ctx, {
      action,
      result: 'refused:enrolment.duplicate',
      segmentId: segment,
      personId: hit.owner,
      score: hit.score,
      detail: { adjudicationId, channel },
    });
    // The enrolling party learns only that an adjudication is open, never who the face belongs to.
    return new AppError('enrolment.duplicate', 'this face is already enrolled; the case goes to adjudication', {
      adjudicationId,
    });
  }
}

export function notCleared(id: string): AppError {
  return new AppError(
    'adjudication.not_cleared',
    'the case is not resolved as different people, or was already used for an enrolment',
    { adjudicationId: id },
  );
}
