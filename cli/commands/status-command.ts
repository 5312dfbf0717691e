import { readKafkaLag } from '../../ingest/kafka-lag.ts';
import { kafkaSecurityFromConfig } from '../../ingest/kafka-security-from-config.ts';
import { openDatabase } from '../../store/open-database.ts';
import { readIngestStatus } from '../../store/read-ingest-status.ts';
import type { Command } from '../command.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Counts of stored, duplicate and quarantined events, and ingest offsets',
  usage: 'status [--json]',
  options: { json: { type: 'boolean', description: 'Print one JSON object (eventsTotal, events, duplicatesTotal, quarantinedTotal, quarantined, offsets)' } },
  async run(context) {
    const database = await openDatabase({ path: context.config.database });
    try {
      const connection = await database.connect();
      const stored = await readIngestStatus(connection);
      // With Kafka configured, each offset also gets `highWatermark` and `lag`, plus `lagTotal` and `kafka`.
      const lag =
        context.config.kafkaBrokers.length === 0
          ? undefined
          : await readKafkaLag(stored.offsets, { brokers: context.config.kafkaBrokers, security: kafkaSecurityFromConfig(context.config), clientId: context.config.kafkaClientId, topics: context.config.topics, logger: context.logger });
      const status = { database: context.config.database, ...stored, ...lag };
      if (context.options['json'] === true) {
        context.stdout.write(`${JSON.stringify(status)}\n`);
        return 0;
      }
      const lines = [
        `database        ${status.database} (schema v${status.schemaVersion})`,
        `events          ${status.eventsTotal}`,
        ...Object.entries(status.events).map(([type, count]) => `  ${type.padEnd(18)} ${count}`),
        `duplicates      ${status.duplicatesTotal}`,
        `quarantined     ${status.quarantinedTotal}`,
        ...Object.entries(status.quarantined).map(([code, count]) => `  ${code.padEnd(32)} ${count}`),
        `offsets`,
        ...status.offsets.map((offset) => `  ${offset.topic}[${offset.partition}] next ${offset.nextOffset}${'lag' in offset ? ` lag ${offset.lag}` : ''}`),
        ...(lag === undefined ? [] : [lag.kafka.reachable ? `lag total       ${lag.lagTotal}` : `kafka           unreachable (${lag.kafka.error})`]),
      ];
      context.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      database.close();
    }
  },
};
