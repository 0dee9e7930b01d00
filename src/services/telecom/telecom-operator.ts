import { AppError } from '../../errors/app-error.js';
import type { CallContext } from '../registry.js';
import { TELECOM_PURPOSE } from './telecom-settings.js';

/**
 * The operator behind a call: a relying party registered for `telecom_contract`, and the segment its
 * subscribers are enrolled and searched in (its first). Anyone else is `auth.forbidden`.
 */
export function operatorOf(ctx: CallContext): { id: string; segment: string } {
  const p = ctx.principal;
  const segment = p.segments[0];
  if (p.role !== 'relying_party' || !p.purposes.includes(TELECOM_PURPOSE) || segment === undefined) {
    throw new AppError('auth.forbidden', 'only a telecom operator (purpose telecom_contract) may do this', {
      reason: 'not_telecom_operator',
    });
  }
  return { id: p.id, segment };
}

/** The call's own idempotency key with a suffix, for a second registry call within one request. */
export function stepCall(ctx: CallContext, step: string): CallContext {
  if (!ctx.idempotency) return ctx;
  return { ...ctx, idempotency: { ...ctx.idempotency, key: `${ctx.idempotency.key}#${step}` } };
}
