import type { FastifyInstance } from 'fastify';
import { callContext } from '../../http/call-context.js';
import { errors, security } from '../../http/schemas.js';
import type { OperationsMetrics } from './operations-metrics.service.js';

/** `GET /v1/metrics`: the Prometheus text, behind an administrator's or operator's key (the console's view). */
export function metricsRoutes(app: FastifyInstance, metrics: OperationsMetrics): void {
  app.get(
    '/v1/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics of this instance (administrator or operator; scrapers use the metrics port)',
        security,
        response: errors(401, 403),
      },
    },
    async (req, reply) => {
      const { contentType, text } = await metrics.read(callContext(req));
      return reply.header('content-type', contentType).send(text);
    },
  );
}
