import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema.js';
import type { Matcher } from '../../matcher/matcher.js';

/**
 * Liveness and readiness for orchestrators; needs no key. (Prometheus metrics are served on a port of their
 * own: src/http/metrics-server.ts.)
 */
export function healthRoutes(
  app: FastifyInstance,
  deps: { db: Kysely<Database>; dialect: string; matcher: Matcher; modelPack: string },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/health',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        summary: 'Health: the store answers and the matcher is loaded',
        response: {
          200: z.object({
            status: z.literal('ok'),
            store: z.string(),
            modelPack: z.string(),
            templates: z.number().int(),
            uptimeSeconds: z.number(),
          }),
          503: z.object({ status: z.literal('unavailable'), store: z.string(), reason: z.string() }),
        },
      },
    },
    async (_req, reply) => {
      try {
        await sql`select 1`.execute(deps.db);
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
