import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../observability/metrics-registry.ts';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and cumulative histogram buckets in Prometheus text format', () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter('http_requests_total', 'Requests');
    requests.inc({ route: '/a', status: '200' });
    requests.inc({ status: '200', route: '/a' }, 2);
    registry.gauge('lag', 'Lag').set({ topic: 't"x' }, 5);
    const latency = registry.histogram('latency_seconds', 'Latency', [0.01, 0.1]);
    latency.observe({}, 0.005);
    latency.observe({}, 0.05);
    latency.observe({}, 3);
    expect(registry.render()).toBe(
      [
        '# HELP http_requests_total Requests',
        '# TYPE http_requests_total counter',
        'http_requests_total{route="/a",status="200"} 3',
        '# HELP lag Lag',
        '# TYPE lag gauge',
        'lag{topic="t\\"x"} 5',
        '# HELP latency_seconds Latency',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{le="0.01"} 1',
        'latency_seconds_bucket{le="0.1"} 2',
        'latency_seconds_bucket{le="+Inf"} 3',
        'latency_seconds_sum 3.055',
        'latency_seconds_count 3',
        '',
      ].join('\n'),
    );
  });

  it('a frozen labels object passed again and again is the same series as the equal literals', () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter('requests_total', 'Requests');
    const labels = Object.freeze({ status: '200', route: '/a"b' });
    requests.inc(labels);
    requests.inc(labels);
    requests.inc({ route: '/a"b', status: '200' });
    requests.inc(Object.freeze({ route: '/c', status: '404' }));
    expect(registry.render().split('\n').filter((line) => line.startsWith('requests_total'))).toEqual(['requests_total{route="/a\\"b",status="200"} 3', 'requests_total{route="/c",status="404"} 1']);
  });

  it('reads a counter kept elsewhere at each render, and leaves it out while it has no value', () => {
    const registry = new MetricsRegistry();
    let value: number | undefined;
    registry.counterFrom('waited_seconds_total', 'Waited', () => value);
    expect(registry.render()).toBe('# HELP waited_seconds_total Waited\n# TYPE waited_seconds_total counter\n');
    value = 1.25;
    expect(registry.render()).toContain('\nwaited_seconds_total 1.25\n');
    value = 2;
    expect(registry.render()).toContain('\nwaited_seconds_total 2\n');
  });

  it('refuses to register a name twice', () => {
    const registry = new MetricsRegistry();
    registry.counter('x', 'x');
    expect(() => registry.gauge('x', 'x')).toThrow(/already registered/);
  });
});
