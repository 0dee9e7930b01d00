import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';

export interface RateLimitDefaults {
  /** Requests one source may make within the window, on each limited route. */
  readonly max: number;
  readonly windowMs: number;
}

/**
 * Per-source request limits (@fastify/rate-limit, keyed by the client address, which honours
 * OBLIK_TRUST_PROXY). No limit applies globally: a metro's gates may all call from one address. A route opts
 * in with `config: { rateLimit: {} }` (the configured defaults) or its own `{ max, timeWindow, keyGenerator }`;
 * code elsewhere can build a limiter with `app.rateLimit({...})` as a hook. Every route reachable without a
 * key (health, the public log, citizen sign-in) gets the defaults unless it sets its own. Refusals are 429
 * `request.rate_limited` with `Retry-After`.
 */
export async function registerRateLimits(app: FastifyInstance, defaults: RateLimitDefaults): Promise<void> {
  // Runs before the plugin's own onRoute hook (added below), so the plugin sees the filled-in setting.
  app.addHook('onRoute', (route) => {
    if (route.config?.public && route.config.rateLimit === undefined) {
      route.config = { ...route.config, rateLimit: {} };
    }
  });
  await app.register(fastifyRateLimit, {
    global: false,
    max: defaults.max,
    timeWindow: defaults.windowMs,
    errorResponseBuilder: (_request, context) =>
      new AppError('request.rate_limited', `too many requests from this source; retry in ${context.after}`, {
        retryAfterSeconds: Math.ceil(context.ttl / 1000),
      }),
  });
}
