/**
 * A small Prometheus metrics registry (counters, gauges, histograms with labels) and its text
 * exposition format. In memory, no I/O: ingest, jobs and the API record; /metrics renders.
 */

import { mainThreadCoreWaitSeconds } from './main-thread-core-wait.ts';

type Labels = Record<string, string>;

/** Keys of frozen label objects, computed once: a caller on a hot path (the API, per request) passes the same frozen object each time. */
const frozenLabelKeys = new WeakMap<Labels, string>();

function labelKey(labels: Labels): string {
  if (!Object.isFrozen(labels)) return computeLabelKey(labels);
  let key = frozenLabelKeys.get(labels);
  if (key === undefined) {
    key = computeLabelKey(labels);
    frozenLabelKeys.set(labels, key);
  }
  return key;
}

function computeLabelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}="${String(labels[name]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

function withLabels(name: string, key: string, extra?: string): string {
  const all = [key, extra].filter((part) => part !== undefined && part !== '').join(',');
  return all === '' ? name : `${name}{${all}}`;
}

export interface Counter {
  inc(labels?: Labels, value?: number): void;
}
export interface Gauge {
  set(labels: Labels, value: number): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    const values = new Map<string, number>();
    this.register({ name, help, type: 'counter', render: () => [...values].map(([key, value]) => `${withLabels(name, key)} ${value}`) });
    return {
      inc(labels = {}, value = 1) {
        const key = labelKey(labels);
        values.set(key, (values.get(key) ?? 0) + value);
      },
    };
  }

  gauge(name: string, help: string): Gauge {
    const values = new Map<string, number>();
    this.register({ name, help, type: 'gauge', render: () => [...values].map(([key, value]) => `${withLabels(name, key)} ${value}`) });
    return {
      set(labels, value) {
        values.set(labelKey(labels), value);
      },
    };
  }

  /** A counter kept elsewhere (the kernel, a library), read when /metrics is rendered; no line while `read` gives undefined. */
  counterFrom(name: string, help: string, read: () => number | undefined): void {
    this.register({
      name,
      help,
      type: 'counter',
      render: () => {
        const value = read();
        return value === undefined ? [] : [`${name} ${value}`];
      },
    });
  }

  /** Buckets are upper bounds in the metric's unit (seconds for latencies). */
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    const sorted = [...buckets].sort((a, b) => a - b);
    const series = new Map<string, { counts: number[]; sum: number; count: number }>();
    this.register({
      name,
      help,
      type: 'histogram',
      render: () =>
        [...series].flatMap(([key, data]) => {
          let cumulative = 0;
          const lines = sorted.map((bound, index) => {
            cumulative += data.counts[index]!;
            return `${withLabels(`${name}_bucket`, key, `le="${bound}"`)} ${cumulative}`;
          });
          lines.push(`${withLabels(`${name}_bucket`, key, 'le="+Inf"')} ${data.count}`);
          lines.push(`${withLabels(`${name}_sum`, key)} ${data.sum}`);
          lines.push(`${withLabels(`${name}_count`, key)} ${data.count}`);
          return lines;
        }),
    });
    return {
      observe(labels, value) {
        const key = labelKey(labels);
        let data = series.get(key);
        if (data === undefined) {
          data = { counts: sorted.map(() => 0), sum: 0, count: 0 };
          series.set(key, data);
        }
        const index = sorted.findIndex((bound) => value <= bound);
        if (index !== -1) data.counts[index]! += 1;
        data.sum += value;
        data.count += 1;
      },
    };
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics.values()) {
      lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`, ...metric.render());
    }
    return `${lines.join('\n')}\n`;
  }

  private register(metric: Metric): void {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.metrics.set(metric.name, metric);
  }
}

/** The metrics every part of `retour serve` records; one instance per process. */
export function createRetourMetrics(registry: MetricsRegistry = new MetricsRegistry()) {
  registry.counterFrom(
    'retour_event_loop_core_wait_seconds_total',
    'Seconds the main thread (the event loop) was ready to run but waited for a CPU core (Linux only): CPU contention that delays every request',
    mainThreadCoreWaitSeconds,
  );
  return {
    registry,
    httpRequests: registry.counter('retour_http_requests_total', 'HTTP requests by route, method and status'),
    httpDuration: registry.histogram('retour_http_request_duration_seconds', 'HTTP request latency by route', [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]),
    eventsIngested: registry.counter('retour_ingest_events_total', 'Messages consumed by outcome (stored, duplicate, quarantined)'),
    ingestLag: registry.gauge('retour_ingest_lag_messages', 'Messages not yet ingested per topic and partition'),
    ingestBatchDuration: registry.histogram('retour_ingest_batch_duration_seconds', 'Time to write one micro-batch', [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5]),
    ingestConsumerState: registry.gauge('retour_ingest_consumer_state', 'Kafka consumer state: 1 for the current one of connecting, consuming, reconnecting, 0 for the others'),
    ingestConsumerStateSince: registry.gauge('retour_ingest_consumer_state_since_timestamp_seconds', 'Unix time the Kafka consumer entered its current state (for reconnecting: the first failure of the outage)'),
    ingestYielded: registry.counter('retour_ingest_yielded_seconds_total', 'Seconds ingest rested between batches to give way to API requests'),
    jobRuns: registry.counter('retour_job_runs_total', 'Batch job runs by job and status'),
    jobDuration: registry.histogram('retour_job_duration_seconds', 'Batch job duration by job', [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300]),
    jobLastSuccess: registry.gauge('retour_job_last_success_timestamp_seconds', 'Unix time of the last successful run per job'),
  };
}

export type RetourMetrics = ReturnType<typeof createRetourMetrics>;
