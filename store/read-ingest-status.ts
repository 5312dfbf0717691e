import type { DuckDBConnection } from '@duckdb/node-api';

export interface PartitionOffset {
  topic: string;
  partition: number;
  nextOffset: number;
}

export interface IngestStatus {
  eventsTotal: number;
  events: Record<string, number>;
  duplicatesTotal: number;
  quarantinedTotal: number;
  quarantined: Record<string, number>;
  offsets: PartitionOffset[];
  schemaVersion: number;
}

async function countsBy(connection: DuckDBConnection, sql: string): Promise<Record<string, number>> {
  const reader = await connection.runAndReadAll(sql);
  const result: Record<string, number> = {};
  for (const [key, count] of reader.getRows()) result[String(key)] = Number(count);
  return result;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}

/** What ingest has stored so far: events by type, duplicates, quarantine by error code, offsets. */
export async function readIngestStatus(connection: DuckDBConnection): Promise<IngestStatus> {
  const events = await countsBy(connection, 'SELECT type, count(*) FROM events GROUP BY type ORDER BY type');
  const quarantined = await countsBy(connection, 'SELECT error_code, count(*) FROM quarantine GROUP BY error_code ORDER BY error_code');
  const duplicates = await connection.runAndReadAll('SELECT count(*) FROM ingest_duplicates');
  const offsets = await connection.runAndReadAll(
    'SELECT topic, kafka_partition, next_offset FROM ingest_offsets ORDER BY topic, kafka_partition',
  );
  const version = await connection.runAndReadAll('SELECT coalesce(max(version), 0) FROM schema_migrations');
  return {
    eventsTotal: sum(events),
    events,
    duplicatesTotal: Number(duplicates.getRows()[0]?.[0] ?? 0),
    quarantinedTotal: sum(quarantined),
    quarantined,
    offsets: offsets.getRows().map(([topic, partition, nextOffset]) => ({
      topic: String(topic),
      partition: Number(partition),
      nextOffset: Number(nextOffset),
    })),
    schemaVersion: Number(version.getRows()[0]?.[0] ?? 0),
  };
}
