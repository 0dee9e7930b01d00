import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { callContext } from '../../http/call-context.js';
import { errors, security } from '../../http/schemas.js';
import type { PrincipalsService } from './principals.service.js';
import { PrincipalSummary as Summary } from './principals.schemas.js';

const Self = z
  .object({
    id: z.string(),
    role: z.enum(['admin', 'operator', 'relying_party', 'auditor']),
    name: z.string(),
    purposes: z.array(z.string()).readonly(),
    segments: z.array(z.string()).readonly(),
    rights: z.array(z.string()).readonly(),
    requireLiveness: z.boolean(),
  })
  .meta({ id: 'Self' });

/**
 * What a credential may do, for the pages (the console shows an administrator's panels, a kiosk offers its
 * party's segments and purposes), and the operator list administrators manage.
 */
export function principalSelfRoutes(app: FastifyInstance, principals: PrincipalsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/me',
    {
      schema: {
        tags: ['operations'],
        summary: 'The calling credential: role, segments, purposes and rights (any API key)',
        security,
        response: { 200: Self, ...errors(403) },
      },
    },
    (req) => {
      const { principal } = callContext(req);
      // Citizen sessions never reach API-key routes; the check keeps the response schema honest.
      if (principal.role === 'citizen' || principal.role === 'system') {
        throw new AppError('auth.forbidden', 'this route takes an API key');
      }
      const { id, role, name, purposes, segments, rights, requireLiveness } = principal;
      return { id, role, name, purposes, segments, rights, requireLiveness };
    },
  );
  r.get(
    '/v1/operators',
    {
      schema: {
        tags: ['operators'],
        summary: 'List segment operators (administrator)',
        security,
        response: { 200: z.object({ operators: z.array(Summary) }), ...errors(403) },
      },
    },
    async (req) => ({ operators: await principals.list(callContext(req), 'operator') }),
  );
}
