import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Matcher } from '../../matcher/matcher.js';
import type { HealthRepository } from './health.repository.js';
import { Healthy, Unavailable } from './health.schemas.js';

/**
 * Liveness and readiness for orchestrators; needs no key. (Prometheus metrics are served on a port of their
 * own: src/http/metrics-server.ts.)
 */
export function healthRoutes(
  app: FastifyInstance,
  deps: { store: HealthRepository; dialect: string; matcher: Matcher; modelPack: string },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/health',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        summary: 'Health: the store answers and the matcher is loaded',
        response: { 200: Healthy, 503: Unavailable },
      },
    },
    async (_req, reply) => {
      try {
        await deps.store.ping();
      } catch {
        return reply.code(503).send({ status: 'unavailable', store: deps.dialect, reason: 'store_unreachable' });
      }
      return {
        status: 'ok' as const,
        store: deps.dialect,
        modelPack: deps.modelPack,
        templates: deps.matcher.size(),
        uptimeSeconds: Math.round(process.uptime()),
      };
    },
  );
}
