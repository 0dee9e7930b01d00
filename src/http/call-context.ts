import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { CallContext, Principal } from '../modules/access/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The authenticated caller and request, as services receive them. The request hash covers method, route,
 * parameters and body, so reusing an `Idempotency-Key` for a different request is detected.
 */
export function callContext(request: FastifyRequest): CallContext {
  const principal = request.principal;
  if (!principal) throw new AppError('auth.unauthorized', 'authentication is required');
  const idempotency = idempotencyOf(request);
  return idempotency ? { principal, requestId: request.id, idempotency } : { principal, requestId: request.id };
}

/** The request's `Idempotency-Key` and a hash of the request it names, if the client sent one. */
export function idempotencyOf(request: FastifyRequest): CallContext['idempotency'] {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
    throw new AppError('request.invalid', 'Idempotency-Key must be 1–255 visible ASCII characters');
  }
  const requestHash = createHash('sha256')
    .update(`${request.method} ${request.url}\n`)
    .update(JSON.stringify(request.body ?? null))
    .digest('hex');
  return { key, requestHash };
}

/** Reads the bearer key; `undefined` if there is none. */
export function bearerKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new AppError('auth.unauthorized', 'the Authorization header must be "Bearer <key>"');
  return match[1];
}
