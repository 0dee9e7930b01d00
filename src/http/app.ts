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
import type { CitizenSession } from '../modules/citizen/citizen-sessions.service.js';
import type { Principal } from '../modules/access/principal.js';
import { randomId } from '../ports/ids.js';
import { bearerKey } from './call-context.js';
import { errorHandler, frameworkErrorHandler } from './error-handler.js';
import { registerMultipartBody } from './multipart-body.js';
import { registerRateLimits, type RateLimitDefaults } from './rate-limits.js';
import { requestLogOptions } from './request-log.js';
import { docsContentSecurityPolicy, registerSecurityHeaders } from './security-headers.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without an API key (health, metrics, documentation, the transparency log, citizen sign-in). */
    public?: boolean;
    /** Authenticated by a citizen session token instead of an API key. */
    citizen?: boolean;
  }
  interface FastifyRequest {
    citizen?: CitizenSession;
  }
}

/** How bearer credentials are checked: API keys for principals, session tokens for citizens. */
export interface Authenticators {
  principal(apiKey: string): Promise<Principal | undefined>;
  citizen(token: string): Promise<CitizenSession | undefined>;
}

export interface AppOptions {
  readonly maxImageBytes: number;
  readonly logLevel: string;
  readonly version: string;
  readonly rateLimit: RateLimitDefaults;
  readonly trustProxy?: boolean | number | string | undefined;
  /** Where log lines go instead of stdout (tests read them). */
  readonly logStream?: { write(line: string): void } | undefined;
}

/** A hop count becomes the function Fastify itself would build from it (its types take no number). */
function trustProxySetting(value: boolean | number | string) {
  return typeof value === 'number' ? (_address: string, hop: number) => hop < value : value;
}

/**
 * The HTTP shell: Fastify with zod schemas (which also produce `/openapi.json` and the `/docs` UI), JSON and
 * multipart bodies, bearer-key authentication before any body is read, and the one error handler.
 */
export async function createHttpApp(options: AppOptions, auth: Authenticators): Promise<FastifyInstance> {
  const app = Fastify({
    // base64 inflates by 4/3; leave room for the other fields.
    bodyLimit: Math.ceil((options.maxImageBytes * 4) / 3) + 1024 * 1024,
    genReqId: () => randomId('req'),
    requestIdHeader: false,
    logger: requestLogOptions(options.logLevel, options.logStream),
    ajv: { customOptions: { coerceTypes: false } },
    // A malformed URL or an over-long path parameter is refused by the router itself: in our error format too.
    frameworkErrors: frameworkErrorHandler,
    ...(options.trustProxy === undefined ? {} : { trustProxy: trustProxySetting(options.trustProxy) }),
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

  await registerSecurityHeaders(app);
  await registerRateLimits(app, options.rateLimit);
  await registerMultipartBody(app, { fileSize: options.maxImageBytes, files: 1, fields: 20, parts: 21 });
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
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'an API key (administrator, operator, relying party)',
          },
          citizenSession: {
            type: 'http',
            scheme: 'bearer',
            description: 'a citizen session token from POST /v1/citizen/sessions',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', transformStaticCSP: docsContentSecurityPolicy });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, () => app.swagger());

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public || request.url.startsWith('/docs') || request.is404) return;
    const key = bearerKey(request);
    if (config.citizen) {
      const session = key ? await auth.citizen(key) : undefined;
      if (!session) {
        throw new AppError(
          'citizen.session_invalid',
          'sign in first (POST /v1/citizen/sessions): the session is missing or over',
        );
      }
      request.citizen = session;
      return;
    }
    if (!key) throw new AppError('auth.unauthorized', 'send Authorization: Bearer <api key>');
    const principal = await auth.principal(key);
    if (!principal) throw new AppError('auth.unauthorized', 'unknown or revoked API key');
    request.principal = principal;
  });
  return app;
}
