import { RetourError } from '../../domain/errors/retour-error.ts';
import { runKafkaIngest } from '../../ingest/kafka-ingest.ts';
import { openDatabase } from '../../store/open-database.ts';
import type { Command } from '../command.ts';

function parseIdleSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new RetourError('RETOUR_USAGE', `--exit-when-idle must be a number of seconds from 0 (exclusive) to 86400; got ${JSON.stringify(text)}`);
  }
  return seconds;
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Consume Kafka into DuckDB',
  usage: 'ingest [--exit-when-idle SECONDS]',
  options: { 'exit-when-idle': { type: 'string', valueName: 'SECONDS', description: 'Exit 0 once no message came for that long and all is committed' } },
  details: [
    'Reads RETOUR_TOPICS with group RETOUR_GROUP_ID from RETOUR_KAFKA_BROKERS into RETOUR_DATABASE, in',
    'micro-batches of up to RETOUR_BATCH_MAX_EVENTS (one transaction each, offsets included). Bad',
    'messages go to the quarantine table and to RETOUR_TOPIC_DLQ. SIGINT/SIGTERM finish the current',
    'batch and exit 0; a Kafka or database failure exits 1. See docs/kafka-ingest.md.',
  ].join('\n'),
  async run(context) {
    const idleSeconds = parseIdleSeconds(context.options['exit-when-idle'] as string | undefined);
    if (context.config.kafkaBrokers.length === 0) {
      context.stderr.write('retour ingest: RETOUR_KAFKA_BROKERS is not set; point it at a Kafka cluster (npm run kafka:start prints one) (RETOUR_USAGE)\n');
      return 2;
    }
    // Fails with RETOUR_DB_IN_USE naming the PID when another process writes the database.
    const database = await openDatabase({ path: context.config.database });
    try {
      const connection = await database.connect();
      await runKafkaIngest({
        connection,
        config: context.config,
        logger: context.logger,
        signal: context.signal,
        // This process owns the database: DuckDB gets RETOUR_INGEST_DUCKDB_THREADS (default 1).
        writerThreads: context.config.ingestDuckdbThreads,
        ...(idleSeconds === undefined ? {} : { exitWhenIdleMs: idleSeconds * 1000 }),
      });
      return 0;
    } finally {
      database.close();
    }
  },
};
