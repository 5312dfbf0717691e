/**
 * Request counters and latency histograms by route (the route pattern, not the URL, so ids do not
 * explode the label set), and GET /metrics in the Prometheus text format.
 */
import type { FastifyInstance } from 'fastify';
import type { RetourMetrics } from '../../observability/metrics-registry.ts';

export function registerRequestMetrics(app: FastifyInstance, metrics: RetourMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
    done();
  });
}

/** GET /metrics; registered with the routes, after the OpenAPI plugin, so the document lists it. */
export function registerMetricsRoute(app: FastifyInstance, metrics: RetourMetrics): void {
  app.get(
    '/metrics',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics: requests, latency histograms, ingest lag, job durations',
        produces: ['text/plain'],
        response: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.registry.render()),
  );
}
