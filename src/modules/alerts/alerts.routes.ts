import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callContext } from '../../http/call-context.js';
import { errors, security } from '../../http/schemas.js';
import { OperatorAlertList, OperatorAlertQuery } from './alerts.schemas.js';
import type { AlertsService } from './alerts.service.js';

export function alertsRoutes(app: FastifyInstance, alerts: AlertsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/alerts',
    {
      schema: {
        tags: ['adjudications'],
        summary: "Alerts for the caller's segments, newest first (administrator or operator)",
        security,
        querystring: OperatorAlertQuery,
        response: { 200: OperatorAlertList, ...errors(400, 403) },
      },
    },
    async (req) => ({ alerts: await alerts.list(callContext(req), req.query.limit) }),
  );
}
