import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { idempotencyOf } from '../../http/call-context.js';
import type { CallContext } from '../access/principal.js';
import { citizenContext } from './citizen-principal.js';
import type { SignedInCitizen } from './citizen-sessions.service.js';

/** OpenAPI security of citizen routes: a session token, not an API key. */
export const citizenSecurity = [{ citizenSession: [] }];

/** Route config: authenticated by a citizen session (see the hook in src/http/app.ts). */
export const citizen = { citizen: true } as const;

/** The session the auth hook attached, with this request's id (under which its refusals are audited). */
export function sessionOf(req: FastifyRequest): SignedInCitizen {
  if (!req.citizen) throw new AppError('citizen.session_invalid', 'sign in first');
  return { ...req.citizen, requestId: req.id };
}

/** The signed-in citizen as the services see them, with the request's `Idempotency-Key` if it has one. */
export function citizenCall(req: FastifyRequest): { session: SignedInCitizen; ctx: CallContext } {
  const session = sessionOf(req);
  const idempotency = idempotencyOf(req);
  const ctx = citizenContext(session.personId, session.requestId);
  return { session, ctx: idempotency ? { ...ctx, idempotency } : ctx };
}
