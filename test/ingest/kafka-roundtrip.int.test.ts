/**
 * kafkajs 2.2.4 against the real broker: produce keyed messages, consume them back with a consumer
 * group in batches, commit, resume and seek. Kafka 4 dropped many old protocol versions, so this
 * is the canary for the client/broker pair the ingest layer relies on.
 */
import type { Consumer, EachBatchPayload, Message } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createTopic,
  deleteConsumerGroups,
  deleteTopics,
  produceMessages,
  testConsumer,
  uniqueTopicName,
  withAdmin,
} from '../support/kafka.ts';

const KEYS = 17;
const HEADER = 'retour-test';

interface Received {
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly value: string;
  readonly header: string;
}

interface Payload {
  readonly seq: number;
  readonly key: string;
}

function keyOf(seq: number): string {
  return `customer-${seq % KEYS}`;
}

function makeMessages(from: number, count: number): Message[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = from + i;
    const payload: Payload = { seq, key: keyOf(seq) };
    return { key: keyOf(seq), value: JSON.stringify(payload), headers: { [HEADER]: `seq-${seq}` } };
  });
}

/** Collects what a consumer's eachBatch hands over, and lets the test wait for a count. */
class Collector {
  readonly messages: Received[] = [];

  readonly eachBatch = async ({ batch }: EachBatchPayload): Promise<void> => {
    for (const message of batch.messages) {
      this.messages.push({
        partition: batch.partition,
        offset: message.offset,
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        header: message.headers?.[HEADER]?.toString() ?? '',
      });
    }
  };

  async waitFor(count: number, timeoutMs = 60_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`waited ${timeoutMs} ms for ${count} messages, got ${this.messages.length}`);
      }
      await new Promise((done) => setTimeout(done, 50));
    }
    return [...this.messages];
  }

  clear(): void {
    this.messages.length = 0;
  }
}

/** The offsets to commit after consuming `received`: one past the last offset per partition. */
function nextOffsets(topic: string, received: readonly Received[]) {
  const last = new Map<number, bigint>();
  for (const { partition, offset } of received) {
    const value = BigInt(offset);
    if ((last.get(partition) ?? -1n) < value) last.set(partition, value);
  }
  return [...last].map(([partition, offset]) => ({
    topic,
    partition,
    offset: String(offset + 1n),
  }));
}

async function startConsumer(groupId: string, topic: string, collector: Collector): Promise<Consumer> {
  const consumer = testConsumer(groupId);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  // Commits are explicit, so the test decides (and checks) exactly what the group has committed.
  await consumer.run({ autoCommit: false, eachBatch: collector.eachBatch });
  return consumer;
}

function seqsOf(received: readonly Received[]): number[] {
  return received.map((message) => (JSON.parse(message.value) as Payload).seq);
}

describe('Kafka round trip with kafkajs', () => {
  const topics: string[] = [];
  const groups: string[] = [];

  afterAll(async () => {
    await deleteConsumerGroups(groups);
    await deleteTopics(topics);
  });

  it('consumes every produced message back in batches with a consumer group and commits', async () => {
    const count = 300;
    const topic = uniqueTopicName('retour-test.roundtrip');
    const groupId = uniqueTopicName('retour-test.roundtrip-group');
    topics.push(topic);
    groups.push(groupId);
    await createTopic(topic, 3);
    // Several produce requests, so the consumer sees more than one batch per partition.
    for (let from = 0; from < count; from += 100) {
      await produceMessages(topic, makeMessages(from, 100));
    }

    const collector = new Collector();
    const consumer = await startConsumer(groupId, topic, collector);
    let received: Received[];
    try {
      received = await collector.waitFor(count);
      await consumer.commitOffsets(nextOffsets(topic, received));
    } finally {
      await consumer.disconnect();
    }

    expect(received).toHaveLength(count);
    expect(seqsOf(received).sort((a, b) => a - b)).toEqual(
      Array.from({ length: count }, (_, seq) => seq),
    );
    for (const message of received) {
      const payload = JSON.parse(message.value) as Payload;
      expect(message.key).toBe(keyOf(payload.seq));
      expect(message.header).toBe(`seq-${payload.seq}`);
    }
    // Same key -> same partition -> consumed in the order produced.
    const partitionsByKey = new Map<string, Set<number>>();
    const lastSeqByKey = new Map<string, number>();
    for (const message of received) {
      const seq = (JSON.parse(message.value) as Payload).seq;
      partitionsByKey.set(message.key, (partitionsByKey.get(message.key) ?? new Set()).add(message.partition));
      expect(seq).toBeGreaterThan(lastSeqByKey.get(message.key) ?? -1);
      lastSeqByKey.set(message.key, seq);
    }
    expect(partitionsByKey.size).toBe(KEYS);
    for (const partitions of partitionsByKey.values()) expect(partitions.size).toBe(1);
    // 17 keys over 3 partitions: all partitions carry data, so the batches really span partitions.
    expect(new Set(received.map((message) => message.partition)).size).toBe(3);

    const [committed, ends] = await withAdmin(async (admin) => [
      await admin.fetchOffsets({ groupId, topics: [topic] }),
      await admin.fetchTopicOffsets(topic),
    ] as const);
    const committedByPartition = Object.fromEntries(
      (committed[0]?.partitions ?? []).map(({ partition, offset }) => [partition, offset]),
    );
    const endByPartition = Object.fromEntries(ends.map(({ partition, high }) => [partition, high]));
    expect(committedByPartition).toEqual(endByPartition);
  });

  it('resumes a group at its committed offsets and rereads a partition after seek', async () => {
    const topic = uniqueTopicName('retour-test.resume');
    const groupId = uniqueTopicName('retour-test.resume-group');
    topics.push(topic);
    groups.push(groupId);
    await createTopic(topic, 3);
    await produceMessages(topic, makeMessages(0, 60));

    const first = new Collector();
    const firstConsumer = await startConsumer(groupId, topic, first);
    try {
      await firstConsumer.commitOffsets(nextOffsets(topic, await first.waitFor(60)));
    } finally {
      await firstConsumer.disconnect();
    }

    await produceMessages(topic, makeMessages(60, 20));
    const second = new Collector();
    const secondConsumer = await startConsumer(groupId, topic, second);
    try {
      const resumed = await second.waitFor(20);
      expect(seqsOf(resumed).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => 60 + i),
      );

      const ends = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
      const fullest = ends.reduce((best, end) => (Number(end.high) > Number(best.high) ? end : best));
      second.clear();
      secondConsumer.seek({ topic, partition: fullest.partition, offset: '0' });
      const reread = await second.waitFor(Number(fullest.high));
      expect(reread.map((message) => message.partition)).toEqual(
        Array.from({ length: Number(fullest.high) }, () => fullest.partition),
      );
      expect(reread.map((message) => Number(message.offset))).toEqual(
        Array.from({ length: Number(fullest.high) }, (_, offset) => offset),
      );
    } finally {
      await secondConsumer.disconnect();
    }
  });
});
