import type { DuckDBConnection } from '@duckdb/node-api';
import type { PartitionOffset } from './read-ingest-status.ts';

/**
 * The next offset to read per (topic, partition), as committed with the data. A consumer seeks to
 * these on partition assignment instead of trusting Kafka's committed offsets.
 */
export async function readStoredOffsets(connection: DuckDBConnection): Promise<PartitionOffset[]> {
  const reader = await connection.runAndReadAll('SELECT topic, kafka_partition, next_offset FROM ingest_offsets ORDER BY topic, kafka_partition');
  return reader.getRows().map(([topic, partition, nextOffset]) => ({ topic: String(topic), partition: Number(partition), nextOffset: Number(nextOffset) }));
}
