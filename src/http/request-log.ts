import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/**
 * The request log's shape. Request URLs carry citizen ids (`/v1/persons/{citizenId}`) and query strings, so
 * a request is logged by its route pattern (`/v1/persons/:personId`), never its URL; bodies are never logged.
 * Credentials and driver error details (PostgreSQL puts the offending key values in `detail`) are redacted.
 */
export function requestLogOptions(
  level: string,
  stream?: { write(line: string): void },
): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'err.detail', 'err.parameters'],
      censor: '[redacted]',
    },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        route: request.routeOptions?.url ?? '(no route)',
        remoteAddress: request.ip,
      }),
    },
  };
}
