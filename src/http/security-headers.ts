import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The content security policy of every response, pages included (the /docs UI today, the web/ pages next):
 * scripts, styles, fonts and connections only from this origin, no inline scripts or `eval`, no plugins, and
 * no framing by anyone. Images may also be `data:` URLs (the UI's icons and camera snapshots are).
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} as const;

/**
 * The one inline style the documentation UI (swagger-ui-dist) injects at run time, allowed by its hash on the
 * /docs pages only; no other inline style, and no inline script anywhere. A new swagger-ui version with another
 * style shows up in test/http/docs-page.test.ts (a real browser reports the violation).
 */
const DOCS_INLINE_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/** The CSP of the /docs pages: the policy above, with the UI's own inline style allowed by hash. */
export function docsContentSecurityPolicy(header: string): string {
  return header.replace("style-src 'self'", `style-src 'self' ${DOCS_INLINE_STYLE}`);
}

/** Files of the documentation UI, which never change within a release and may be cached. */
const CACHEABLE = /^\/docs\/static\//;

/**
 * Security headers through @fastify/helmet on every response (`X-Content-Type-Options: nosniff`, the CSP
 * above, `X-Frame-Options: DENY`, a strict referrer policy, HSTS for deployments behind TLS), and
 * `Cache-Control: no-store` on everything but the documentation's static files: API answers carry session
 * tokens, API keys, sign-in codes, exports and personal data, none of which a browser or proxy may keep.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: { ...CONTENT_SECURITY_POLICY } },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!reply.hasHeader('cache-control') && !CACHEABLE.test(request.url))
      void reply.header('cache-control', 'no-store');
    return payload;
  });
}
