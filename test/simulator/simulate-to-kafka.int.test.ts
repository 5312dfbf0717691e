/**
 * `retour simulate --to kafka` against the real broker: order events go to RETOUR_TOPIC_ORDERS, the
 * rest to RETOUR_TOPIC_RETURNS, keyed by customer; `retour ingest` then stores exactly the events the
 * same seed writes to a file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTopic, deleteTopics, kafkaBrokers, testConsumer, uniqueTopicName, withAdmin } from '../support/kafka.ts';
import { runRetour } from '../support/retour-cli.ts';

const directory = mkdtempSync(join(tmpdir(), 'retour-sim-kafka-'));
const orders = uniqueTopicName('sim-orders');
const returns = uniqueTopicName('sim-returns');

afterAll(async () => {
  await deleteTopics([orders, returns]);
  rmSync(directory, { recursive: true, force: true });
});

async function messageCount(topic: string): Promise<number> {
  const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
}

describe('retour simulate --to kafka', () => {
  it('produces the same events as --out, split by type, keyed by customer, and ingest stores them all', async () => {
    await createTopic(orders, 3);
    await createTopic(returns, 3);
    const env = {
      RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','),
      RETOUR_TOPIC_ORDERS: orders,
      RETOUR_TOPIC_RETURNS: returns,
      RETOUR_TOPICS: `${orders},${returns}`,
      RETOUR_GROUP_ID: uniqueTopicName('sim-group'),
      RETOUR_DATABASE: join(directory, 'retour.duckdb'),
    };
    const simulation = ['simulate', '--seed', '31', '--days', '45', '--customers', '400', '--start', '2025-03-01'];
    const sent = runRetour([...simulation, '--to', 'kafka'], env);
    runRetour([...simulation, '--out', join(directory, 'events.ndjson')], env);
    const events = readFileSync(join(directory, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; id: string; data: { customerId?: string }; partitionkey?: string });
    // The one line that tells a Kafka user what was sent.
    expect(sent.stdout).toMatch(new RegExp(`^simulated ${events.length} events to Kafka \\(${orders}, ${returns}\\) in \\d+\\.\\d s\\n$`));
    const orderEvents = events.filter((event) => event.type.startsWith('order.')).length;
    expect(events.length).toBeGreaterThan(500);
    expect(await messageCount(orders)).toBe(orderEvents);
    expect(await messageCount(returns)).toBe(events.length - orderEvents);

    // Keys are the customer: every message of a customer lands on one partition.
    const partitionsByKey = new Map<string, Set<number>>();
    const consumer = testConsumer(uniqueTopicName('sim-check'));
    await consumer.connect();
    await consumer.subscribe({ topics: [orders, returns], fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const event = JSON.parse(message.value!.toString()) as { data: { customerId?: string }; partitionkey?: string };
            const key = message.key!.toString();
            expect(key).toBe(event.data.customerId ?? event.partitionkey);
            const set = partitionsByKey.get(key) ?? new Set<number>();
            set.add(partition);
            partitionsByKey.set(key, set);
            seen += 1;
            if (seen === events.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect([...partitionsByKey.values()].every((partitions) => partitions.size === 1)).toBe(true);

    runRetour(['ingest', '--exit-when-idle', '3'], env);
    const status = JSON.parse(runRetour(['status', '--json'], env).stdout) as { eventsTotal: number; duplicatesTotal: number; quarantinedTotal: number };
    expect(status.eventsTotal + status.quarantinedTotal).toBe(new Set(events.map((event) => event.id)).size);
    expect(status.duplicatesTotal).toBe(0);
  });
});
