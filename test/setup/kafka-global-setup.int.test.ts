import { inject, describe, expect, it } from 'vitest';
import { kafkaBrokers, withAdmin } from '../support/kafka.ts';

describe('kafka global setup', () => {
  it('hands the brokers to test workers through inject and the inherited environment', () => {
    const provided = inject('kafkaBrokers');
    expect(provided).toMatch(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/);
    // Tests spawn `retour` child processes, which only see the environment.
    expect(process.env['RETOUR_KAFKA_BROKERS']).toBe(provided);
    expect(kafkaBrokers()).toEqual(provided.split(','));
  });

  it('points at a broker that answers metadata requests', async () => {
    const cluster = await withAdmin((admin) => admin.describeCluster());
    expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
    expect(cluster.controller).not.toBeNull();
  });
});
