import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { AppError } from '../errors/app-error.js';
import type { PrincipalsService } from '../modules/principals/principals.service.js';
import { randomId } from '../ports/ids.js';
import { bearerKey } from './call-context.js';
import { errorHandler } from './error-handler.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without an API key (health, metrics, documentation). */
    public?: boolean;
  }
}

export interface AppOptions {
  readonly maxImageBytes: number;
  readonly logLevel: string;
  readonly version: string;
}

/**
 * The HTTP shell: Fastify with zod schemas (which also produce `/openapi.json` and the `/docs` UI), JSON and
 * multipart bodies, bearer-key authentication before any body is read, and the one error handler.
 */
export async function createHttpApp(options: AppOptions, principals: PrincipalsService): Promise<FastifyInstance> {
  const app = Fastify({
    // base64 inflates by 4/3; leave room for the other fields.
    bodyLimit: Math.ceil((options.maxImageBytes * 4) / 3) + 1024 * 1024,
    genReqId: () => randomId('req'),
    requestIdHeader: false,
    logger: {
      level: options.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  // JSON and multipart only: anything else is refused with request.unsupported_media_type, not parsed.
  app.removeContentTypeParser(['text/plain']);
  app.setNotFoundHandler((request) => {
    throw new AppError('request.not_found', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    done(null, payload);
  });

  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: options.maxImageBytes, files: 1, fields: 20, parts: 21 },
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Oblik registry API',
        version: options.version,
        description:
          'Enrolment, 1:1 verification and 1:N identification under consent and purpose, with audit. ' +
          'Errors are `{ code, message, data? }` with a stable `code`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, () => app.swagger());

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public || request.url.startsWith('/docs') || request.is404) return;
    const key = bearerKey(request);
    if (!key) throw new AppError('auth.unauthorized', 'send Authorization: Bearer <api key>');
    const principal = await principals.authenticate(key);
    if (!principal) throw new AppError('auth.unauthorized', 'unknown or revoked API key');
    request.principal = principal;
  });
  return app;
}
