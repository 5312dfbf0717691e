/**
 * Publishes stored risk.decision events (the `api_outbox` rows) to Kafka and marks them published.
 * Each event is validated with decodeEvent before it is sent. Without a producer (no Kafka
 * configured) nothing is sent and the rows wait.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import { decodeEvent } from '../domain/events/decode-event.ts';
import { RetourError } from '../domain/errors/retour-error.ts';
import type { EventProducer } from '../messaging/producer/create-event-producer.ts';
import { markOutboxPublished, readUnpublishedOutbox } from '../store/api/record-review-decision.ts';
import type { SerialQueue } from './serial-queue.ts';

export interface DecisionOutbox {
  /** Sends every pending event; resolves with the ids acknowledged by Kafka (empty without Kafka or on failure). */
  flush(): Promise<Set<string>>;
}

export function createDecisionOutbox(options: { connection: DuckDBConnection; producer: EventProducer | undefined; serial: SerialQueue; logger: Logger; now: () => Date }): DecisionOutbox {
  let flushing: Promise<Set<string>> | undefined;
  const flushOnce = async (): Promise<Set<string>> => {
    const published = new Set<string>();
    if (options.producer === undefined) return published;
    const pending = await options.serial(() => readUnpublishedOutbox(options.connection, 500));
    for (const row of pending) {
      const decoded = decodeEvent(row.payload);
      if (!decoded.ok) {
        // Built by this process from a validated request: a failure here is a bug, not bad input.
        throw new RetourError('RETOUR_INTERNAL', `stored decision event ${row.eventId} breaks the contract: ${decoded.rejection.message}`);
      }
      try {
        await options.producer.send(row.topic, [{ key: row.key, value: row.payload, headers: { 'ce_id': row.eventId, 'content-type': 'application/cloudevents+json' } }]);
        published.add(row.eventId);
      } catch (error: unknown) {
        options.logger.warn({ err: error, eventId: row.eventId }, 'risk.decision not published yet; it stays in the outbox');
        break;
      }
    }
    await options.serial(() => markOutboxPublished(options.connection, [...published], options.now()));
    return published;
  };
  return {
    async flush() {
      // One flush at a time; a caller arriving meanwhile waits for it and then flushes again.
      while (flushing !== undefined) await flushing.catch(() => undefined);
      flushing = flushOnce();
      try {
        return await flushing;
      } finally {
        flushing = undefined;
      }
    },
  };
}
