import type { TransferRecordRow, TransferRow } from './transfers.repository.js';

/**
 * A batch's progress from its counts: the rate is this process's own when it is running the batch, else the
 * average since it started; the time left follows from it (null until there is a rate).
 */
export function progressOf(
  t: TransferRow,
  counts: { accepted: number; duplicate: number; rejected: number },
  liveRate: number | undefined,
  nowMs: number,
) {
  const processed = counts.accepted + counts.duplicate + counts.rejected;
  const endMs = t.finished_at ? Date.parse(t.finished_at) : nowMs;
  const seconds = t.started_at ? (endMs - Date.parse(t.started_at)) / 1000 : 0;
  const rate = liveRate ?? (seconds > 0 ? processed / seconds : 0);
  const left = Math.max(0, t.total - processed);
  return {
    transferId: t.id,
    status: t.status,
    total: t.total,
    processed,
    accepted: counts.accepted,
    duplicates: counts.duplicate,
    rejected: counts.rejected,
    ratePerSecond: Math.round(rate * 100) / 100,
    etaSeconds: t.status === 'done' ? 0 : rate > 0 ? Math.ceil(left / rate) : null,
  };
}

/** One record of the report as the bank reads it. */
export function reportLine(r: TransferRecordRow) {
  const head = { line: r.line_no, externalRef: r.external_ref };
  switch (r.outcome) {
    case 'accepted':
      return { ...head, status: 'accepted' as const, personId: r.pseudonym };
    case 'duplicate':
      return { ...head, status: 'duplicate' as const, adjudicationId: r.adjudication_id };
    case 'rejected':
      return { ...head, status: 'rejected' as const, code: r.error_code };
  }
}
