import { createHash } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { CallContext } from '../registry.js';

/**
 * The operator behind a call: a relying party registered for `purpose`, and its segments (a transit operator
 * searches its first; a parking facility names one of them). Anyone else is `auth.forbidden`.
 */
export function serviceOperator(
  ctx: CallContext,
  purpose: string,
): { id: string; segment: string; segments: readonly string[] } {
  const p = ctx.principal;
  const segment = p.segments[0];
  if (p.role !== 'relying_party' || !p.purposes.includes(purpose) || segment === undefined) {
    throw new AppError('auth.forbidden', `only an operator registered for ${purpose} may do this`, {
      reason: 'not_service_operator',
      purpose,
    });
  }
  return { id: p.id, segment, segments: p.segments };
}

/** The call as a gate makes it: liveness is required at every gate, whatever the party's own setting. */
export function gateCall(ctx: CallContext): CallContext {
  return { ...ctx, principal: { ...ctx.principal, requireLiveness: true } };
}

/** What must not change between retries of one gate event: its fields and the image's digest. */
export function eventHash(fields: Record<string, string | undefined>, image: Uint8Array): string {
  const imageDigest = createHash('sha256').update(image).digest('hex');
  return createHash('sha256')
    .update(JSON.stringify({ ...fields, imageDigest }))
    .digest('hex');
}
