import type { ProducerBatch } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaEventSink, eventKey, eventTopic, type BatchProducer } from '../../simulator/kafka-event-sink.ts';
import { simulateMarketplace } from '../../simulator/simulate-marketplace.ts';

function fakeProducer(options: { failSend?: boolean } = {}) {
  const batches: ProducerBatch[] = [];
  const calls: string[] = [];
  const producer: BatchProducer = {
    async connect() {
      calls.push('connect');
    },
    async sendBatch(batch) {
      if (options.failSend === true) throw new Error('broker gone');
      batches.push(batch);
    },
    async disconnect() {
      calls.push('disconnect');
    },
  };
  return { producer, batches, calls };
}

const topics = { topicOrders: 'test.orders', topicReturns: 'test.returns' };

describe('createKafkaEventSink', () => {
  it('sends order events to the orders topic and the rest to the returns topic, keyed by customer, in batches', async () => {
    const { producer, batches, calls } = fakeProducer();
    const sink = await createKafkaEventSink({ brokers: [], clientId: 'test', ...topics, batchSize: 100, producer });
    const events = [...simulateMarketplace({ seed: 5, days: 40, customers: 200 }).events()];
    for (const event of events) await sink.send(event);
    await sink.close();
    await sink.close();
    expect(calls).toEqual(['connect', 'disconnect']);
    expect(sink.sent).toBe(events.length);
    expect(batches.length).toBe(Math.ceil(events.length / 100));
    for (const batch of batches) {
      expect(batch.acks).toBe(-1);
      expect(batch.compression).toBe(0); // CompressionTypes.None
    }
    const messages = batches.flatMap((batch) => batch.topicMessages!.flatMap((entry) => entry.messages.map((message) => ({ topic: entry.topic, message }))));
    expect(messages.length).toBe(events.length);
    const customerOfOrder = new Map<string, string>();
    for (const { topic, message } of messages) {
      const event = JSON.parse(String(message.value)) as { type: string; data: { customerId?: string; orderId?: string } };
      expect(topic).toBe(event.type.startsWith('order.') ? 'test.orders' : 'test.returns');
      expect(message.key).toMatch(/^cus_/);
      if (event.data.customerId !== undefined) expect(message.key).toBe(event.data.customerId);
      if (event.type === 'order.placed') customerOfOrder.set(event.data.orderId!, event.data.customerId!);
    }
    expect(customerOfOrder.size).toBeGreaterThan(0);
  });

  it('sends before the buffered values reach maxBatchBytes (a broker refuses record batches above 1 MiB)', async () => {
    const { producer, batches } = fakeProducer();
    const sink = await createKafkaEventSink({ brokers: [], clientId: 'test', ...topics, batchSize: 5000, maxBatchBytes: 20_000, producer });
    const events = [...simulateMarketplace({ seed: 5, days: 40, customers: 200 }).events()];
    for (const event of events) await sink.send(event);
    await sink.close();
    expect(batches.length).toBeGreaterThan(1);
    const largest = Math.max(...events.map((event) => JSON.stringify(event).length));
    for (const batch of batches) {
      const values = batch.topicMessages!.flatMap((entry) => entry.messages.map((message) => String(message.value)));
      // Below the limit plus the one message that crossed it.
      expect(values.reduce((total, value) => total + value.length, 0)).toBeLessThan(20_000 + largest);
    }
    expect(batches.flatMap((batch) => batch.topicMessages!.flatMap((entry) => entry.messages))).toHaveLength(events.length);
  });

  it('keys events whose data has no customer by the partitionkey extension', () => {
    const returnReceived = [...simulateMarketplace({ seed: 5, days: 40, customers: 200 }).events()].find((event) => event.type === 'return.received')!;
    expect(eventKey(returnReceived)).toMatch(/^cus_/);
    expect(eventTopic(returnReceived, topics)).toBe('test.returns');
  });

  it('says clearly when no brokers are configured, and wraps send failures', async () => {
    await expect(createKafkaEventSink({ brokers: [], clientId: 'test', ...topics })).rejects.toThrow(/RETOUR_KAFKA_BROKERS/);
    const { producer } = fakeProducer({ failSend: true });
    const sink = await createKafkaEventSink({ brokers: [], clientId: 'test', ...topics, batchSize: 1, producer });
    const event = [...simulateMarketplace({ seed: 1, days: 5, customers: 30 }).events()][0]!;
    await expect(sink.send(event)).rejects.toMatchObject({ code: 'RETOUR_KAFKA_UNAVAILABLE', message: expect.stringMatching(/broker gone/) });
  });
});
