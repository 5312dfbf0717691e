/**
 * Helpers for integration tests that talk to the Kafka broker provided by
 * test/setup/kafka-global-setup.ts. Every test creates its own topics with `uniqueTopicName` and
 * deletes them in `afterAll`, so tests never see each other's messages on the shared broker.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Admin, Consumer, ConsumerConfig, Message, RecordMetadata } from 'kafkajs';
import { inject } from 'vitest';

const topicPrefixPattern = /^[a-zA-Z0-9._-]{1,200}$/;

/**
 * The brokers of the test cluster, as given by the global setup.
 *
 * @example
 * new Kafka({ clientId: 'x', brokers: kafkaBrokers() }) // brokers: ['127.0.0.1:19092']
 */
export function kafkaBrokers(): string[] {
  const brokers = inject('kafkaBrokers');
  if (typeof brokers !== 'string' || brokers === '') {
    throw new TypeError(
      `kafkaBrokers() needs the integration project's global setup, which provides ` +
        `"kafkaBrokers"; got ${JSON.stringify(brokers)}. Run with --project integration.`,
    );
  }
  return brokers.split(',').map((broker) => broker.trim());
}

/** The test cluster's SASL_SSL listener (scripts/kafka-local.mjs gives every local broker one). */
export interface SaslSslListener {
  readonly brokers: string;
  /** PEM file of the certificate the listener presents. */
  readonly caFile: string;
  readonly username: string;
  readonly password: string;
  /** Lower-case kafkajs names, e.g. 'scram-sha-512'. */
  readonly mechanisms: readonly string[];
}

/** The SASL_SSL listener of the test cluster; fails (never skips) when the setup knows none. */
export function kafkaSaslSslListener(): SaslSslListener {
  const text = inject('kafkaSaslSsl');
  if (typeof text !== 'string' || text === '') {
    throw new TypeError(
      'the SASL_SSL tests need a listener with TLS and SASL: the local broker of scripts/kafka-local.mjs has one; ' +
        'for a cluster of your own set RETOUR_TEST_KAFKA_SASL_SSL=\'{"brokers":"host:port","caFile":"…","username":"…","password":"…","mechanisms":["plain"]}\'',
    );
  }
  return JSON.parse(text) as SaslSslListener;
}

/**
 * A kafkajs client for tests: warnings only, so passing tests stay quiet.
 *
 * @example
 * const producer = testKafka('my-test').producer();
 */
export function testKafka(clientId = 'retour-test'): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.WARN });
}

/**
 * A consumer in `groupId` that disconnects quickly: kafkajs waits for the in-flight fetch on
 * disconnect, and the default fetch long-poll (5 s) would add 5 s to every test consumer.
 *
 * @example
 * const consumer = testConsumer(uniqueTopicName('my-group'));
 */
export function testConsumer(groupId: string, config: Partial<ConsumerConfig> = {}): Consumer {
  return testKafka('retour-test-consumer').consumer({ maxWaitTimeInMs: 250, ...config, groupId });
}

/**
 * A topic (or group) name no other test run uses: the prefix plus time and random suffix.
 *
 * @example
 * uniqueTopicName('roundtrip') // 'roundtrip-mf3k2x1a-9c1e2f0a'
 */
export function uniqueTopicName(prefix: string): string {
  if (!topicPrefixPattern.test(prefix)) {
    throw new TypeError(
      `uniqueTopicName prefix must be 1-200 characters of [a-zA-Z0-9._-]; got ${JSON.stringify(prefix)}`,
    );
  }
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Runs `work` with a connected admin client and always disconnects it. */
export async function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka('retour-test-admin').admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates a topic with replication factor 1 and waits until every partition has a leader.
 *
 * @example
 * await createTopic(uniqueTopicName('orders'), 3);
 */
export async function createTopic(name: string, partitions: number): Promise<void> {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`createTopic partitions must be an integer >= 1; got ${partitions}`);
  }
  const created = await withAdmin((admin) =>
    admin.createTopics({
      topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    }),
  );
  if (!created) {
    throw new Error(`createTopic: topic "${name}" already exists; use uniqueTopicName()`);
  }
}

/**
 * Sends messages with an idempotent producer (acks from all replicas) and disconnects it.
 * Keys pick partitions with kafkajs' default (Java-compatible murmur2) partitioner.
 *
 * @example
 * await produceMessages(topic, [{ key: 'customer-1', value: '{"type":"order.placed"}' }]);
 */
export async function produceMessages(
  topic: string,
  messages: readonly Message[],
): Promise<RecordMetadata[]> {
  const producer = testKafka('retour-test-producer').producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
  });
  await producer.connect();
  try {
    return await producer.send({ topic, messages: [...messages], acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Deletes topics that exist; names already gone are ignored, so cleanup can run after a failure.
 *
 * @example
 * afterAll(() => deleteTopics(topicsCreatedHere));
 */
export async function deleteTopics(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await withAdmin(async (admin) => {
    const existing = new Set(await admin.listTopics());
    const topics = names.filter((name) => existing.has(name));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  });
}

/**
 * Deletes consumer groups (their consumers must have disconnected); unknown groups are ignored.
 *
 * @example
 * afterAll(() => deleteConsumerGroups([groupId]));
 */
export async function deleteConsumerGroups(groupIds: readonly string[]): Promise<void> {
  if (groupIds.length === 0) return;
  await withAdmin(async (admin) => {
    const { groups } = await admin.listGroups();
    const known = new Set(groups.map((group) => group.groupId));
    const groupsToDelete = groupIds.filter((groupId) => known.has(groupId));
    if (groupsToDelete.length > 0) await admin.deleteGroups(groupsToDelete);
  });
}
