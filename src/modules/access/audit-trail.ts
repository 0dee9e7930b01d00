import { AppError, type ErrorCode } from '../../errors/app-error.js';
import type { AuditFact, AuditService } from '../audit/audit.service.js';
import type { CallContext } from './principal.js';

/** Where a refused call is recorded: what was asked, and of whom where known. */
export type RefusalContext = Pick<AuditFact, 'action' | 'purpose' | 'segmentId' | 'personId'>;

/**
 * Writes a refused call's one audit record, in its own transaction (a refusal has no other effect). Its result
 * is `refused:<code>`; the reason, if any, goes to the record and never to the caller.
 */
export function recordRefusal(
  audit: Pick<AuditService, 'recordAlone'>,
  ctx: CallContext,
  at: RefusalContext,
  code: ErrorCode,
  reason?: string,
): Promise<string> {
  return audit.recordAlone(ctx, {
    ...at,
    result: `refused:${code}`,
    ...(reason === undefined ? {} : { detail: { reason } }),
  });
}

/**
 * Runs a step that follows authorisation (the capture of a face): a refusal it throws (`face.not_found`,
 * `face.spoof_suspected`, `engine.unavailable`, …) is recorded once, then reaches the caller unchanged.
 */
export async function recordingRefusals<T>(
  audit: Pick<AuditService, 'recordAlone'>,
  ctx: CallContext,
  at: RefusalContext,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof AppError) {
      const reason = e.data?.['reason'];
      await recordRefusal(audit, ctx, at, e.code, typeof reason === 'string' ? reason : undefined);
    }
    throw e;
  }
}
