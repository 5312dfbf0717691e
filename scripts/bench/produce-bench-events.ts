/**
 * Creates a topic and produces `events` generated bench events to it, keyed by customer — the
 * pre-produced backlog of the ingest and API benchmarks.
 *
 * @example
 *   const { produced, bytes, seconds } = await produceBenchEvents(kafka, { topic: 'bench-x', partitions: 6, events: 1_000_000 });
 */
import { Partitioners, type Kafka } from 'kafkajs';
import { generateBenchEvents } from './generate-bench-events.ts';

export async function produceBenchEvents(
  kafka: Kafka,
  options: { topic: string; partitions: number; events: number; log?: (line: string) => void },
): Promise<{ produced: number; bytes: number; seconds: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: options.topic, numPartitions: options.partitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = performance.now();
  let produced = 0;
  let bytes = 0;
  try {
    // Generated in slices so the generator never holds the whole backlog at once; event and entity
    // ids made unique per slice (one order under two event ids is RETOUR_EVENT_ENTITY_CONFLICT).
    for (let slice = 0; produced < options.events; slice++) {
      const texts = generateBenchEvents({ events: Math.min(50_000, options.events - produced), seed: 1000 + slice, idPrefix: `${slice}_` });
      const sends: Promise<unknown>[] = [];
      for (let start = 0; start < texts.length; start += 5000) {
        const messages = texts.slice(start, start + 5000).map((value) => {
          bytes += value.length;
          return { key: /"customerId":"([^"]+)"/.exec(value)?.[1] ?? null, value };
        });
        sends.push(producer.send({ topic: options.topic, acks: 1, messages }));
      }
      await Promise.all(sends);
      produced += texts.length;
      if (slice % 5 === 4) options.log?.(`  produced ${produced.toLocaleString('en')}`);
    }
  } finally {
    await producer.disconnect();
  }
  return { produced, bytes, seconds: (performance.now() - started) / 1000 };
}
