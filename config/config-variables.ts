/**
 * The one schema of Retour's configuration: every RETOUR_* environment variable, its rule, its
 * default and its meaning. load-config.ts parses it; the README's configuration table is checked
 * against it by test/config/readme-config-table.test.ts.
 */
import { CURRENCY_CODES } from '../domain/events/currency-codes.ts';

/** A currency the events may carry: a threshold for any other could never apply. */
const CURRENCY_CODE_PATTERN = new RegExp(`^(${CURRENCY_CODES.join('|')})$`);

export interface VariableSpec<T, K extends string = string> {
  /** Property name in the parsed Config object. */
  readonly key: K;
  readonly description: string;
  /** Default as it would be written in the environment ('' = unset/empty). */
  readonly defaultText: string;
  /** Human-readable rule, used in error messages and the README. */
  readonly rule: string;
  /** Parses the raw text; throws an Error whose message completes "must be …". */
  readonly parse: (text: string) => T;
}

class RuleError extends Error {}

/** Values of RETOUR_INGEST_THREAD: where Kafka ingest consumes and decodes (docs/kafka-ingest.md). */
export const INGEST_THREADS = ['worker', 'main'] as const;

/** Values of RETOUR_KAFKA_SECURITY_PROTOCOL: Kafka's own names (security.protocol). */
export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;

/** Values of RETOUR_KAFKA_SASL_MECHANISM: Kafka's own names (sasl.mechanism). */
export const KAFKA_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** Values of RETOUR_SERVE_BACKGROUND_THREADS (cli/thread-priority.ts explains each). */
export const BACKGROUND_THREAD_PRIORITIES = ['idle', 'nice', 'normal'] as const;

function integer<const K extends string>(options: { key: K; description: string; default: number; min: number; max: number }): VariableSpec<number, K> {
  const rule = `an integer from ${options.min} to ${options.max}`;
  return {
    key: options.key,
    description: options.description,
    defaultText: String(options.default),
    rule,
    parse(text) {
      if (!/^-?\d+$/.test(text.trim())) throw new RuleError(rule);
      const value = Number(text.trim());
      if (value < options.min || value > options.max) throw new RuleError(rule);
      return value;
    },
  };
}

function decimal<const K extends string>(options: { key: K; description: string; default: number; min: number; max: number }): VariableSpec<number, K> {
  const rule = `a number from ${options.min} to ${options.max}`;
  return {
    key: options.key,
    description: options.description,
    defaultText: String(options.default),
    rule,
    parse(text) {
      const value = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(value) || value < options.min || value > options.max) throw new RuleError(rule);
      return value;
    },
  };
}

function text<const K extends string>(options: { key: K; description: string; default: string; pattern?: RegExp; rule?: string }): VariableSpec<string, K> {
  const rule = options.rule ?? 'a non-empty string';
  return {
    key: options.key,
    description: options.description,
    defaultText: options.default,
    rule,
    parse(value) {
      const trimmed = value.trim();
      if (trimmed === '' || (options.pattern !== undefined && !options.pattern.test(trimmed))) throw new RuleError(rule);
      return trimmed;
    },
  };
}

function oneOf<const K extends string, const T extends readonly string[]>(options: {
  key: K;
  description: string;
  default: T[number];
  values: T;
  /** Accept any case and give the listed spelling (Kafka's own clients take `sasl_ssl` too). */
  ignoreCase?: boolean;
}): VariableSpec<T[number], K> {
  const rule = `one of ${options.values.join(', ')}${options.ignoreCase === true ? ' (any case)' : ''}`;
  return {
    key: options.key,
    description: options.description,
    defaultText: options.default,
    rule,
    parse(value) {
      const trimmed = value.trim();
      const match = options.ignoreCase === true ? options.values.find((allowed) => allowed.toLowerCase() === trimmed.toLowerCase()) : options.values.find((allowed) => allowed === trimmed);
      if (match === undefined) throw new RuleError(rule);
      return match as T[number];
    },
  };
}

/** Free text that may be left empty ('' = not set). */
function optionalText<const K extends string>(options: { key: K; description: string }): VariableSpec<string, K> {
  return {
    key: options.key,
    description: options.description,
    defaultText: '',
    rule: 'any text, or empty',
    parse: (value) => value.trim(),
  };
}

const BYTE_SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/** A DuckDB size such as 256MB or 1GiB; '' = leave DuckDB's own default. */
function byteSize<const K extends string>(options: { key: K; description: string; default: string }): VariableSpec<string, K> {
  const rule = 'a size such as 256MB or 1GiB (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), or empty';
  return {
    key: options.key,
    description: options.description,
    defaultText: options.default,
    rule,
    parse(value) {
      const trimmed = value.trim();
      if (trimmed !== '' && !BYTE_SIZE.test(trimmed)) throw new RuleError(rule);
      return trimmed;
    },
  };
}

const DURATION_UNITS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/** A period such as 30m, 12h, 1d or 7d in whole units ('12h' → 43200 seconds), or `off` (→ null). */
function duration<const K extends string>(options: { key: K; description: string; default: string; minSeconds: number; maxSeconds: number; min: string; max: string }): VariableSpec<number | null, K> {
  const rule = `off, or a whole number of s, m, h, d or w (e.g. 12h, 1d, 7d) from ${options.min} to ${options.max}`;
  return {
    key: options.key,
    description: options.description,
    defaultText: options.default,
    rule,
    parse(value) {
      const trimmed = value.trim();
      if (trimmed.toLowerCase() === 'off') return null;
      const match = /^(\d+)\s*([smhdw])$/.exec(trimmed);
      if (match === null) throw new RuleError(rule);
      const seconds = Number(match[1]) * DURATION_UNITS[match[2] as keyof typeof DURATION_UNITS];
      if (seconds < options.minSeconds || seconds > options.maxSeconds) throw new RuleError(rule);
      return seconds;
    },
  };
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const HOST_PORT = /^[A-Za-z0-9.[\]:-]+:\d{1,5}$/;

function list<const K extends string>(options: { key: K; description: string; default: string; item: RegExp; itemRule: string; allowEmpty: boolean }): VariableSpec<readonly string[], K> {
  const rule = `a comma-separated list of ${options.itemRule}${options.allowEmpty ? ' (may be empty)' : ''}`;
  return {
    key: options.key,
    description: options.description,
    defaultText: options.default,
    rule,
    parse(value) {
      const items = value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      if (!options.allowEmpty && items.length === 0) throw new RuleError(rule);
      if (items.some((item) => !options.item.test(item))) throw new RuleError(rule);
      return Object.freeze(items);
    },
  };
}

function numberMap<const K extends string>(options: {
  key: K;
  description: string;
  default: string;
  min: number;
  max: number;
  /** The names a pair may use; absent = any name (categories). */
  names?: readonly string[];
  /** Instead of a list, the form a name must have, and how the rule says it. */
  namePattern?: { readonly pattern: RegExp; readonly rule: string };
}): VariableSpec<Readonly<Record<string, number>>, K> {
  const names = options.names !== undefined ? `name (one of ${options.names.join(', ')})` : options.namePattern !== undefined ? `name (${options.namePattern.rule})` : 'name';
  const rule = `comma-separated ${names}=integer pairs with integers from ${options.min} to ${options.max} (may be empty)`;
  return {
    key: options.key,
    description: options.description,
    defaultText: options.default,
    rule,
    parse(value) {
      const result: Record<string, number> = {};
      for (const pair of value.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
        const match = /^([A-Za-z0-9_.-]+)=(\d+)$/.exec(pair);
        if (match === null) throw new RuleError(rule);
        const number = Number(match[2]);
        if (number < options.min || number > options.max) throw new RuleError(rule);
        // A misspelt name would otherwise be ignored: the setting it meant would silently keep its default.
        if (options.names !== undefined && !options.names.includes(match[1]!)) throw new RuleError(rule);
        if (options.namePattern !== undefined && !options.namePattern.pattern.test(match[1]!)) throw new RuleError(rule);
        result[match[1]!] = number;
      }
      return Object.freeze(result);
    },
  };
}

/** The waiting stages of models/ops/resolve-stuck-limits.ts (config may not import models; a test keeps them equal). */
export const OPS_WAITING_STAGES = ['awaiting_receipt', 'awaiting_inspection', 'awaiting_refund', 'awaiting_close'] as const;
/** The jobs the scheduler runs (jobs/job-registry.ts; a test keeps them equal). */
export const SCHEDULED_JOB_NAMES = ['quality', 'risk', 'ops'] as const;

export const CONFIG_VARIABLES = {
  RETOUR_DATABASE: optionalText({ key: 'database', description: 'DuckDB file (one writer process owns it); empty = retour.duckdb in RETOUR_DATA_DIR.' }),
  RETOUR_DATA_DIR: text({ key: 'dataDir', default: './data', description: 'Folder for the database (unless RETOUR_DATABASE names one), the demo\'s API keys and its simulation state.' }),
  RETOUR_HOST: text({ key: 'host', default: '127.0.0.1', description: 'Address the API listens on (0.0.0.0 for all interfaces).' }),
  RETOUR_PORT: integer({ key: 'port', default: 3000, min: 0, max: 65535, description: 'API port (0 = any free port).' }),
  RETOUR_API_KEY: optionalText({ key: 'apiKey', description: 'An ops or admin API key for the CLI: while `retour serve` holds the database, `retour status` asks that server (GET /v1/status at RETOUR_HOST:RETOUR_PORT) with it. Never logged.' }),
  RETOUR_LOG_LEVEL: oneOf({ key: 'logLevel', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, description: 'Log level of the structured (pino) logs on stderr.' }),
  RETOUR_KAFKA_BROKERS: list({ key: 'kafkaBrokers', default: '', item: HOST_PORT, itemRule: 'host:port', allowEmpty: true, description: 'Kafka bootstrap brokers; empty = no Kafka (the demo uses the built-in simulator).' }),
  RETOUR_KAFKA_SECURITY_PROTOCOL: oneOf({ key: 'kafkaSecurityProtocol', default: 'PLAINTEXT', values: KAFKA_SECURITY_PROTOCOLS, ignoreCase: true, description: 'How Retour talks to the brokers, as Kafka\'s security.protocol: SSL and SASL_SSL use TLS; SASL_PLAINTEXT and SASL_SSL authenticate with RETOUR_KAFKA_SASL_*.' }),
  RETOUR_KAFKA_SASL_MECHANISM: oneOf({ key: 'kafkaSaslMechanism', default: 'PLAIN', values: KAFKA_SASL_MECHANISMS, ignoreCase: true, description: 'SASL mechanism with a SASL_* security protocol.' }),
  RETOUR_KAFKA_SASL_USERNAME: optionalText({ key: 'kafkaSaslUsername', description: 'SASL user name (needed with a SASL_* security protocol).' }),
  RETOUR_KAFKA_SASL_PASSWORD: optionalText({ key: 'kafkaSaslPassword', description: 'SASL password; prefer RETOUR_KAFKA_SASL_PASSWORD_FILE, which keeps it out of the environment. Never logged.' }),
  RETOUR_KAFKA_SASL_PASSWORD_FILE: optionalText({ key: 'kafkaSaslPasswordFile', description: 'File holding the SASL password (one line; a trailing newline is ignored), e.g. a mounted secret.' }),
  RETOUR_KAFKA_SSL_CA_FILE: optionalText({ key: 'kafkaSslCaFile', description: 'PEM file of the certificate authorities to trust for the brokers\' TLS certificates; empty = the system\'s.' }),
  RETOUR_KAFKA_CLIENT_ID: text({ key: 'kafkaClientId', default: 'retour', description: 'Kafka client id.' }),
  RETOUR_TOPICS: list({ key: 'topics', default: 'marketplace.orders,marketplace.returns,retour.decisions', item: TOPIC_NAME, itemRule: 'Kafka topic names', allowEmpty: false, description: 'Topics ingest reads; the event type, not the topic, decides storage.' }),
  RETOUR_TOPIC_ORDERS: text({ key: 'topicOrders', default: 'marketplace.orders', pattern: TOPIC_NAME, rule: 'a Kafka topic name', description: 'Topic the simulator writes order and delivery events to.' }),
  RETOUR_TOPIC_RETURNS: text({ key: 'topicReturns', default: 'marketplace.returns', pattern: TOPIC_NAME, rule: 'a Kafka topic name', description: 'Topic the simulator writes return, refund, claim and feedback events to.' }),
  RETOUR_GROUP_ID: text({ key: 'groupId', default: 'retour', description: 'Kafka consumer group of ingest.' }),
  RETOUR_TOPIC_DECISIONS: text({ key: 'topicDecisions', default: 'retour.decisions', pattern: TOPIC_NAME, rule: 'a Kafka topic name', description: 'Topic the API publishes review decisions (risk.decision events) to.' }),
  RETOUR_TOPIC_FLAGS: text({ key: 'topicFlags', default: 'retour.flags', pattern: TOPIC_NAME, rule: 'a Kafka topic name', description: 'Topic new risk flags are published to.' }),
  RETOUR_TOPIC_QUALITY_ALERTS: text({ key: 'topicQualityAlerts', default: 'retour.quality-alerts', pattern: TOPIC_NAME, rule: 'a Kafka topic name', description: 'Topic quality alerts are published to when they open and when they resolve.' }),
  RETOUR_TOPIC_DLQ: text({ key: 'topicDeadLetters', default: 'retour.dlq', pattern: TOPIC_NAME, rule: 'a Kafka topic name', description: 'Dead-letter topic for quarantined messages (error in headers).' }),
  RETOUR_BATCH_MAX_EVENTS: integer({ key: 'batchMaxEvents', default: 20000, min: 1, max: 1_000_000, description: 'Largest ingest micro-batch (one DuckDB transaction).' }),
  RETOUR_BATCH_MAX_WAIT_MS: integer({ key: 'batchMaxWaitMs', default: 250, min: 1, max: 60_000, description: 'Longest wait for a micro-batch to fill.' }),
  RETOUR_INGEST_BUSY_SHARE: decimal({ key: 'ingestBusyShare', default: 0.25, min: 0.01, max: 1, description: 'In retour serve, the share of time ingest may work while the API is serving requests (it rests between batches; full speed when the API is quiet); 1 = never rest.' }),
  RETOUR_INGEST_BUSY_BATCH_EVENTS: integer({ key: 'ingestBusyBatchEvents', default: 1000, min: 1, max: 1_000_000, description: 'In retour serve, the largest ingest micro-batch while the API is serving requests (shorter writes, fewer objects for the garbage collector to move).' }),
  RETOUR_INGEST_THREAD: oneOf({ key: 'ingestThread', default: 'worker', values: INGEST_THREADS, description: 'Where ingest consumes Kafka and decodes events: "worker" (a worker thread, so retour serve\'s API does not wait behind them; the DuckDB write stays on the main thread) or "main".' }),
  RETOUR_SERVE_BACKGROUND_THREADS: oneOf({ key: 'serveBackgroundThreads', default: 'idle', values: BACKGROUND_THREAD_PRIORITIES, description: 'In retour serve on Linux, how every thread but the API\'s event loop runs (DuckDB, the ingest worker, the jobs\' workers): "idle" (SCHED_IDLE: only on cores the event loop leaves free), "nice" (nice 10) or "normal".' }),
  RETOUR_INGEST_DUCKDB_THREADS: integer({ key: 'ingestDuckdbThreads', default: 1, min: 0, max: 1024, description: 'DuckDB threads of retour ingest and retour import (they own their database instance; the JavaScript thread takes the other core); 0 = DuckDB\'s default, one per core. retour serve keeps DuckDB\'s default for its jobs.' }),
  RETOUR_DUCKDB_MEMORY_LIMIT: byteSize({ key: 'duckdbMemoryLimit', default: '', description: 'DuckDB memory_limit set by ingest (the whole database instance: buffer cache, indexes); empty = DuckDB\'s default, 80% of RAM.' }),
  RETOUR_DUCKDB_CHECKPOINT_THRESHOLD: byteSize({ key: 'duckdbCheckpointThreshold', default: '1GB', description: 'DuckDB checkpoint_threshold set by ingest: WAL size that triggers a checkpoint (DuckDB\'s default 16MB checkpoints after nearly every batch).' }),
  RETOUR_MAX_EVENT_BYTES: integer({ key: 'maxEventBytes', default: 65536, min: 256, max: 16_777_216, description: 'Larger messages are quarantined as oversize.' }),
  RETOUR_RETURN_WINDOW_DAYS: integer({ key: 'returnWindowDays', default: 30, min: 1, max: 3650, description: 'Return window after delivery, in days (policy).' }),
  RETOUR_RETURN_WINDOW_BY_CATEGORY: numberMap({ key: 'returnWindowByCategory', default: '', min: 1, max: 3650, description: 'Per-category return windows, e.g. electronics=14,apparel=60.' }),
  RETOUR_REFUND_SLA_DAYS: integer({ key: 'refundSlaDays', default: 14, min: 1, max: 365, description: 'Days after receipt within which a refund is due (policy).' }),
  RETOUR_OPS_RECEIPT_GRACE_DAYS: integer({ key: 'opsReceiptGraceDays', default: 14, min: 1, max: 365, description: 'A refunded return whose parcel has not arrived this many days after the refund is a refund_without_receipt exception.' }),
  RETOUR_OPS_STUCK_DAYS: numberMap({ key: 'opsStuckDays', default: 'awaiting_receipt=21,awaiting_inspection=5,awaiting_refund=14,awaiting_close=7', min: 1, max: 3650, names: OPS_WAITING_STAGES, description: 'Days an open return may wait in a stage before it is listed as stuck (stages not named keep their default).' }),
  RETOUR_QUALITY_MIN_UNITS: integer({ key: 'qualityMinUnits', default: 100, min: 1, max: 10_000_000, description: 'Delivered units a product needs in the tested 7-day window (and in its baseline) before it can be flagged.' }),
  RETOUR_QUALITY_FDR: decimal({ key: 'qualityFalseDiscoveryRate', default: 0.01, min: 0.0001, max: 0.5, description: 'Benjamini–Hochberg false discovery rate for quality alerts.' }),
  RETOUR_QUALITY_WITHIN_DAYS: integer({ key: 'qualityWithinDays', default: 14, min: 1, max: 365, description: 'N of the quality tables\' "returned within N days of delivery" columns, comparable on immature cohorts.' }),
  RETOUR_QUALITY_DETECTION_DAYS: integer({ key: 'qualityDetectionDays', default: 7, min: 1, max: 365, description: 'Quality alerts compare product-fault returns within this many days of delivery (shorter = earlier alerts).' }),
  RETOUR_QUALITY_BASELINE_WEEKS: integer({ key: 'qualityBaselineWeeks', default: 8, min: 1, max: 104, description: 'Weeks of delivery cohorts in the trailing baseline of quality alerts (for the fault rate it ends 14 days before the run; for the reason mix, just before the tested week).' }),
  RETOUR_QUALITY_MIN_RATIO: decimal({ key: 'qualityMinRatio', default: 1.5, min: 1, max: 100, description: 'A quality alert also needs the current rate to be at least this multiple of the baseline rate.' }),
  RETOUR_RATE_LIMIT_PER_MINUTE: integer({ key: 'rateLimitPerMinute', default: 600000, min: 1, max: 100_000_000, description: 'API requests per minute allowed per key.' }),
  RETOUR_JOB_INTERVAL_SECONDS: numberMap({ key: 'jobIntervalSeconds', default: 'quality=30,risk=30,ops=30', min: 1, max: 86400, names: SCHEDULED_JOB_NAMES, description: 'Scheduler interval per job inside retour serve.' }),
  RETOUR_TRAIN_EVERY: duration({ key: 'trainEverySeconds', default: '1d', minSeconds: 60, maxSeconds: 366 * 86_400, min: '1m', max: '366d', description: 'How often retour serve retrains the fraud model (the train job: a time split on the labels recorded so far, promoted only if not worse than the model in service); the first run comes this long after the last one recorded, or after the start; off = only when an admin asks (POST /v1/models/train).' }),
  RETOUR_TRAIN_MIN_TRAINING_POSITIVES: integer({ key: 'trainMinTrainingPositives', default: 40, min: 1, max: 1_000_000, description: 'Fewest positive rows (labelled fraud) in the training period for a training to go ahead (retour model train, the train job); fewer = no model, the run is skipped with the counts (docs/risk.md § Too few labels).' }),
  RETOUR_TRAIN_MIN_VALIDATION_POSITIVES: integer({ key: 'trainMinValidationPositives', default: 50, min: 1, max: 1_000_000, description: 'Fewest positive rows in the validation period, whose metrics decide the promotion; fewer = no model, the run is skipped with the counts.' }),
  RETOUR_RISK_REVIEW_THRESHOLD: decimal({ key: 'riskReviewThreshold', default: 0.5, min: 0.01, max: 1, description: 'Customer risk scores at or above go to the review tier (and get a flag).' }),
  RETOUR_RISK_HIGH_THRESHOLD: decimal({ key: 'riskHighThreshold', default: 0.8, min: 0.01, max: 1, description: 'Customer risk scores at or above are in the high tier (must be ≥ the review threshold).' }),
  RETOUR_RISK_HIGH_VALUE: integer({ key: 'riskHighValue', default: 20000, min: 1, max: 10_000_000_000_000, description: 'POST /v1/risk/score inspects a return worth at least this many minor units before refund unless the customer is low-risk, in any currency not in RETOUR_RISK_HIGH_VALUE_BY_CURRENCY (20000 = 200.00 in a 2-decimal currency).' }),
  RETOUR_RISK_HIGH_VALUE_BY_CURRENCY: numberMap({ key: 'riskHighValueByCurrency', default: '', min: 1, max: 10_000_000_000_000, namePattern: { pattern: CURRENCY_CODE_PATTERN, rule: 'an ISO 4217 code such as JPY, one the events may carry (docs/events.md § Currencies)' }, description: 'Per-currency high-value thresholds in that currency\'s minor units, e.g. JPY=30000,KWD=60000 (requests state their currency).' }),
  RETOUR_RISK_NO_RECEIPT_DAYS: integer({ key: 'riskNoReceiptDays', default: 14, min: 1, max: 365, description: 'A refund whose return has not arrived this many days later counts as "refund without receipt".' }),
} as const satisfies Record<`RETOUR_${string}`, VariableSpec<unknown, string>>;

export type ConfigVariableName = keyof typeof CONFIG_VARIABLES;
export { RuleError };
