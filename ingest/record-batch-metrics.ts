import type { RetourMetrics } from '../observability/metrics-registry.ts';
import type { BatchOutcome } from './ingest-batch.ts';

/**
 * Records one committed micro-batch in the process's metrics: messages by outcome and the write's
 * duration. Kafka ingest and the demo feed both call it, so /metrics means the same for both.
 */
export function recordBatchMetrics(metrics: RetourMetrics, outcome: Pick<BatchOutcome, 'stored' | 'duplicates' | 'quarantined'>, writeSeconds: number): void {
  metrics.eventsIngested.inc({ outcome: 'stored' }, outcome.stored);
  metrics.eventsIngested.inc({ outcome: 'duplicate' }, outcome.duplicates);
  metrics.eventsIngested.inc({ outcome: 'quarantined' }, outcome.quarantined.length);
  metrics.ingestBatchDuration.observe({}, writeSeconds);
}
