import { isUniqueViolation } from '../../db/constraint-errors.js';
import type { Transactor, Tx } from '../../db/executor.js';
import { AppError, type ErrorCode } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { CallContext } from '../access/principal.js';
import type { IdempotencyRepository } from './idempotency.repository.js';

/**
 * `Idempotency-Key` support. The stored response is written in the same transaction as the effect it
 * reports, so a replay after a crash sees either both or neither; two concurrent requests with one key race on
 * the primary key, and the loser's whole transaction (effect included) rolls back and it answers as a replay.
 */
export class IdempotencyService {
  constructor(
    private readonly records: IdempotencyRepository,
    private readonly transactions: Transactor,
    private readonly clock: Clock,
  ) {}

  /** The stored answer to an earlier request with this key, if any (thrown again if it was an error). */
  async replay<T>(ctx: CallContext): Promise<T | undefined> {
    if (!ctx.idempotency) return undefined;
    const row = await this.records.find(ctx.principal.id, ctx.idempotency.key);
    if (!row) return undefined;
    if (row.request_hash !== ctx.idempotency.requestHash) {
      throw new AppError('idempotency.key_reused', 'this Idempotency-Key was used for a different request', {
        key: ctx.idempotency.key,
      });
    }
    const body = JSON.parse(row.response) as unknown;
    if (row.status_code >= 400) {
      const e = body as { code: ErrorCode; message: string; data?: Record<string, unknown> };
      throw new AppError(e.code, e.message, e.data);
    }
    return body as T;
  }

  /**
   * Runs `work` in a transaction and stores its answer under the request's key. `work` may return an
   * `AppError` to commit its effects (an adjudication, an audit record) and still refuse the request.
   * Returns the answer and whether this call's effects committed (false when a concurrent twin won).
   */
  async commit<T>(
    ctx: CallContext,
    status: number,
    work: (tx: Tx) => Promise<T | AppError>,
  ): Promise<{ value: T; fresh: boolean }> {
    let outcome: T | AppError;
    try {
      outcome = await this.transactions.transaction(async (tx) => {
        const result = await work(tx);
        if (ctx.idempotency) {
          const isError = result instanceof AppError;
          await this.records.insert(tx, {
            principal_id: ctx.principal.id,
            key: ctx.idempotency.key,
            request_hash: ctx.idempotency.requestHash,
            status_code: isError ? result.status : status,
            response: JSON.stringify(isError ? result.toJSON() : result),
            created_at: isoNow(this.clock),
          });
        }
        return result;
      });
    } catch (e) {
      if (ctx.idempotency && isUniqueViolation(e)) {
        const stored = await this.replay<T>(ctx);
        if (stored !== undefined) return { value: stored, fresh: false };
      }
      throw e;
    }
    if (outcome instanceof AppError) throw outcome;
    return { value: outcome, fresh: true };
  }

  /** Forgets stored answers older than the retention period. */
  purge(olderThanHours: number): Promise<number> {
    const before = new Date(this.clock.now().getTime() - olderThanHours * 3_600_000).toISOString();
    return this.records.deleteOlderThan(before);
  }
}
