import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parseGallery } from '../modules/templates/galleries.js';
import type { Matcher } from '../matcher/matcher.js';

/**
 * Prometheus metrics: request latency and outcomes per route and stable error code, matcher size per segment,
 * and the process defaults. Route labels are route patterns, never ids, so cardinality stays bounded.
 */
export function registerMetrics(app: FastifyInstance, matcher: Matcher): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'oblik_' });
  const latency = new Histogram({
    name: 'oblik_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'oblik_http_responses_total',
    help: 'HTTP responses by route, status and stable error code',
    labelNames: ['method', 'route', 'status', 'code'],
    registers: [registry],
  });
  new Gauge({
    name: 'oblik_matcher_templates',
    help: 'Templates held in the in-memory matcher, by segment, template view, transform version and model pack',
    labelNames: ['segment', 'view', 'transform', 'model_pack'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of matcher.stats()) {
        const { segmentId, view, version } = parseGallery(s.segment);
        this.set({ segment: segmentId, view, transform: String(version), model_pack: s.modelPack }, s.templates);
      }
    },
  });
  new Gauge({
    name: 'oblik_matcher_bytes',
    help: 'Bytes of template vectors held in the matcher',
    registers: [registry],
    collect() {
      this.set(matcher.stats().reduce((sum, s) => sum + s.bytes, 0));
    },
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && typeof payload === 'string') {
      const code = /"code":"([a-z_.]+)"/.exec(payload)?.[1];
      if (code) reply.header('x-oblik-error-code', code);
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    latency.observe(labels, reply.elapsedTime / 1000);
    const code = reply.getHeader('x-oblik-error-code');
    outcomes.inc({ ...labels, code: typeof code === 'string' ? code : '' });
    done();
  });
  return registry;
}
