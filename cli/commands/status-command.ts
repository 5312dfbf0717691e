import type { Config } from '../../config/load-config.ts';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { readKafkaLag } from '../../ingest/kafka-lag.ts';
import { kafkaSecurityFromConfig } from '../../ingest/kafka-security-from-config.ts';
import { openDatabase } from '../../store/open-database.ts';
import { readIngestStatus, type IngestStatus } from '../../store/read-ingest-status.ts';
import type { Command, CommandContext } from '../command.ts';

/** What `retour status` prints: the stored counts, and when read from a running server, its consumer state. */
type StatusReport = IngestStatus & {
  database: string;
  /** The running `retour serve` that answered, when it held the database. */
  server?: string;
  ingest?: string;
  ingestSince?: string;
  ingestError?: string;
};

export const statusCommand: Command = {
  name: 'status',
  summary: 'Counts of stored, duplicate and quarantined events, and ingest offsets',
  usage: 'status [--json]',
  options: { json: { type: 'boolean', description: 'Print one JSON object (eventsTotal, events, duplicatesTotal, quarantinedTotal, quarantined, offsets)' } },
  details:
    'While `retour serve` holds the database, status asks that server instead (GET /v1/status at RETOUR_HOST:RETOUR_PORT) when RETOUR_API_KEY holds an ops or admin key; the answer then also has the consumer state (ingest, ingestSince, ingestError) and `server`.',
  async run(context) {
    let database: Awaited<ReturnType<typeof openDatabase>>;
    try {
      database = await openDatabase({ path: context.config.database });
    } catch (error: unknown) {
      if (error instanceof RetourError && error.code === 'RETOUR_DB_IN_USE') return printStatus(context, await askRunningServer(context.config, error));
      throw error;
    }
    try {
      const stored = await readIngestStatus(await database.connect());
      return await printStatus(context, { database: context.config.database, ...stored });
    } finally {
      database.close();
    }
  },
};

/** The server `retour serve` would listen on with this configuration (a wildcard address is reached on loopback). */
function serverUrlOf(config: Pick<Config, 'host' | 'port'>): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/** The same counts from the server that holds the database, read over its API with RETOUR_API_KEY. */
async function askRunningServer(config: Config, inUse: RetourError): Promise<StatusReport> {
  if (config.apiKey === '') {
    throw new RetourError('RETOUR_DB_IN_USE', `${inUse.message}. To read a running retour serve's status instead, set RETOUR_API_KEY to an ops or admin key (retour keys create --role ops)`, {
      cause: inUse,
      details: inUse.details,
    });
  }
  const server = serverUrlOf(config);
  let response: Response;
  try {
    response = await fetch(`${server}/v1/status`, { headers: { authorization: `Bearer ${config.apiKey}` }, signal: AbortSignal.timeout(10_000) });
  } catch (error: unknown) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new RetourError('RETOUR_DB_IN_USE', `${inUse.message}; asking the server at ${server} failed too (${reason}) — is RETOUR_HOST/RETOUR_PORT the server's address?`, { cause: inUse, details: inUse.details });
  }
  const text = await response.text();
  if (!response.ok) {
    // A problem+json body names the problem (401 unknown key, 403 a role without status:read).
    let detail = text.slice(0, 300);
    try {
      const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
      detail = String(problem.detail ?? problem.title ?? detail);
    } catch {
      // not JSON: keep the start of the body
    }
    throw new RetourError('RETOUR_DB_IN_USE', `${inUse.message}; the server at ${server} refused GET /v1/status with ${response.status}: ${detail}`, { cause: inUse, details: inUse.details });
  }
  const body = JSON.parse(text) as Omit<StatusReport, 'database' | 'server'>;
  return { database: config.database, server, ...body };
}

async function printStatus(context: CommandContext, stored: StatusReport): Promise<number> {
  const config = context.config;
  // With Kafka configured, each offset also gets `highWatermark` and `lag`, plus `lagTotal` and `kafka`.
  const lag =
    config.kafkaBrokers.length === 0
      ? undefined
      : await readKafkaLag(stored.offsets, { brokers: config.kafkaBrokers, security: kafkaSecurityFromConfig(config), clientId: config.kafkaClientId, topics: config.topics, logger: context.logger });
  const status = { ...stored, ...lag };
  if (context.options['json'] === true) {
    context.stdout.write(`${JSON.stringify(status)}\n`);
    return 0;
  }
  const lines = [
    `database        ${status.database} (schema v${status.schemaVersion})`,
    ...(status.server === undefined ? [] : [`read from       ${status.server} (retour serve holds the database)`]),
    ...(status.ingest === undefined
      ? []
      : [`ingest          ${status.ingest}${status.ingestSince === undefined ? '' : ` since ${status.ingestSince}`}${status.ingestError === undefined ? '' : ` (${status.ingestError})`}`]),
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
}
