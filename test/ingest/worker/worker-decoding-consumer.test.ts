import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isRetourError } from '../../../domain/errors/retour-error.ts';
import { createWorkerDecodingConsumer } from '../../../ingest/worker/worker-decoding-consumer.ts';

/** Nothing listens on port 1 of the loopback interface. */
const options = {
  brokers: ['127.0.0.1:1'],
  clientId: 'worker-test',
  groupId: 'worker-test',
  topics: ['worker-test'],
  logger: pino({ level: 'silent' }),
  startOffsets: [],
  maxBatchMessages: 100,
  maxBatchWaitMs: 50,
  maxEventBytes: 8192,
  retries: 0,
  maxOutageMs: 1,
};

describe('createWorkerDecodingConsumer (the ingest worker thread)', () => {
  it('brings the worker consumer\'s RetourError back with its code, so the caller exits as it would in process', async () => {
    const consumer = createWorkerDecodingConsumer(options);
    try {
      const error: unknown = await consumer.start().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(isRetourError(error, 'RETOUR_KAFKA_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toContain('127.0.0.1:1');
    } finally {
      await consumer.close();
    }
  });

  it('answers an aborted nextBatch at once with an empty batch, reports a status before start, and closes twice harmlessly', async () => {
    const consumer = createWorkerDecodingConsumer(options);
    const aborted = new AbortController();
    aborted.abort();
    expect(await consumer.nextBatch(aborted.signal)).toEqual({ messages: [], decoded: [], nextOffsets: [] });
    const pending = new AbortController();
    const batch = consumer.nextBatch(pending.signal);
    pending.abort();
    expect(await batch).toEqual({ messages: [], decoded: [], nextOffsets: [] });
    expect(consumer.status()).toMatchObject({ joined: false, bufferedMessages: 0 });
    await consumer.close();
    await consumer.close();
    await expect(consumer.nextBatch()).rejects.toThrow('the ingest worker consumer is closed');
  });

  it('refuses options that cannot cross to the worker', () => {
    expect(() => createWorkerDecodingConsumer({ ...options, earliestOffsets: async () => [] })).toThrow(/cannot take earliestOffsets/);
  });
});
