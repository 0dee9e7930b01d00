import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { CitizenSession } from './citizen-sessions.js';

/** OpenAPI security of citizen routes: a session token, not an API key. */
export const citizenSecurity = [{ citizenSession: [] }];

/** Route config: authenticated by a citizen session (see the hook in src/http/app.ts). */
export const citizen = { citizen: true } as const;

/** The session the auth hook attached. */
export function sessionOf(req: FastifyRequest): CitizenSession {
  if (!req.citizen) throw new AppError('citizen.session_invalid', 'sign in first');
  return req.citizen;
}
