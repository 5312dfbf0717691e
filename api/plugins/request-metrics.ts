/**
 * Request counters and latency histograms by route (the route pattern, not the URL, so ids do not
 * explode the label set), and GET /metrics in the Prometheus text format.
 */
import type { FastifyInstance } from 'fastify';
import type { RetourMetrics } from '../../observability/metrics-registry.ts';

/** Frozen label objects, one per series, so the registry computes each series key once. */
interface SeriesLabels {
  readonly duration: Readonly<Record<string, string>>;
  readonly byStatus: Map<number, Readonly<Record<string, string>>>;
}

export function registerRequestMetrics(app: FastifyInstance, metrics: RetourMetrics): void {
  // route + ' ' + method → labels; bounded by the route table (unmatched URLs share 'unmatched').
  const series = new Map<string, SeriesLabels>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    const seriesKey = `${route} ${method}`;
    let labels = series.get(seriesKey);
    if (labels === undefined) {
      labels = { duration: Object.freeze({ route, method }), byStatus: new Map() };
      series.set(seriesKey, labels);
    }
    let requestLabels = labels.byStatus.get(reply.statusCode);
    if (requestLabels === undefined) {
      requestLabels = Object.freeze({ route, method, status: String(reply.statusCode) });
      labels.byStatus.set(reply.statusCode, requestLabels);
    }
    metrics.httpRequests.inc(requestLabels);
    metrics.httpDuration.observe(labels.duration, reply.elapsedTime / 1000);
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
