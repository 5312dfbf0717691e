import { kafkaSecurityFromConfig } from '../../ingest/kafka-security-from-config.ts';
import { kafkaJsSecurityOptions } from '../../messaging/kafka-security.ts';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { RetourEvent } from '../../domain/events/event-schemas.ts';
import { createKafkaEventSink } from '../../simulator/kafka-event-sink.ts';
import { SIMULATION_START_RULE, simulateMarketplace, simulationStartMs, type SimulateMarketplaceOptions } from '../../simulator/simulate-marketplace.ts';
import { DEFAULT_ANOMALY_RATES, type AnomalyRates } from '../../simulator/simulation-parameters.ts';
import type { Command, CommandContext } from '../command.ts';

const ANOMALY_OPTION_NAMES: Readonly<Record<string, keyof AnomalyRates>> = {
  over_refund: 'overRefund',
  duplicate_refund: 'duplicateRefund',
  missing_refund: 'missingRefund',
  late_refund: 'lateRefund',
  refund_without_receipt: 'refundWithoutReceipt',
  outside_window: 'outsideWindow',
};

class UsageError extends Error {}

function integerOption(context: CommandContext, name: string, options: { required: boolean; min: number; max: number }): number | undefined {
  const raw = context.options[name];
  if (raw === undefined) {
    if (options.required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < options.min || value > options.max) {
    throw new UsageError(`--${name} must be an integer from ${options.min} to ${options.max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function numberOption(context: CommandContext, name: string, min: number, max: number): number | undefined {
  const raw = context.options[name];
  if (raw === undefined) return undefined;
  const value = Number(String(raw).trim());
  if (String(raw).trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function parseAnomalyRates(raw: string): Partial<AnomalyRates> {
  if (raw.trim() === 'none') return Object.fromEntries(Object.keys(DEFAULT_ANOMALY_RATES).map((key) => [key, 0]));
  const rates: Partial<AnomalyRates> = {};
  for (const pair of raw.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const match = /^([a-z_]+)=([0-9.]+)$/.exec(pair);
    const key = match === null ? undefined : ANOMALY_OPTION_NAMES[match[1]!];
    const rate = match === null ? Number.NaN : Number(match[2]);
    if (key === undefined || !(rate >= 0 && rate <= 1)) {
      throw new UsageError(`--anomaly-rates takes none or KIND=RATE pairs with KIND one of ${Object.keys(ANOMALY_OPTION_NAMES).join(', ')} and RATE from 0 to 1, got ${JSON.stringify(pair)}`);
    }
    rates[key] = rate;
  }
  // The simulator draws at most one anomaly per return, so the rates (the kinds not named keep their
  // defaults) must add up to at most 1; checked here to say so as a usage error, not a RangeError.
  const all = { ...DEFAULT_ANOMALY_RATES, ...rates };
  const total = Object.values(all).reduce((sum, rate) => sum + rate, 0);
  if (total > 1 + 1e-9) {
    const unnamed = Object.entries(ANOMALY_OPTION_NAMES).filter(([, key]) => rates[key] === undefined && all[key] > 0);
    const defaults = unnamed.length === 0 ? '' : ` with the defaults of the kinds not named (${unnamed.map(([name, key]) => `${name}=${all[key]}`).join(', ')})`;
    throw new UsageError(`--anomaly-rates must add up to at most 1 (one anomaly per return at most), got ${Number(total.toFixed(6))}${defaults}`);
  }
  return rates;
}

/** Writes NDJSON in large chunks and waits when the stream asks to (stdout or a file). */
function createNdjsonWriter(stream: NodeJS.WritableStream) {
  let chunk = '';
  let error: unknown;
  stream.on('error', (cause: unknown) => (error = cause));
  return {
    async write(event: RetourEvent): Promise<void> {
      chunk += `${JSON.stringify(event)}\n`;
      if (chunk.length >= 1 << 20) await this.flush();
    },
    async flush(): Promise<void> {
      if (error !== undefined) throw error;
      if (chunk === '') return;
      const ok = stream.write(chunk);
      chunk = '';
      if (!ok) await once(stream, 'drain');
    },
  };
}

function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Run the marketplace simulator',
  usage: 'simulate --seed N --days D --customers C [--products P] (--out FILE|- | --to kafka) [--truth FILE] [--start DATE]',
  options: {
    seed: { type: 'string', valueName: 'N', description: 'Random seed; the same seed and options give the same events and truth' },
    days: { type: 'string', valueName: 'D', description: 'Simulated days (1–3650)' },
    customers: { type: 'string', valueName: 'C', description: 'Customers (1–10,000,000)' },
    products: { type: 'string', valueName: 'P', description: 'Catalogue size (default customers / 50, at least 50)' },
    out: { type: 'string', valueName: 'FILE|-', description: 'Write NDJSON CloudEvents in time order to FILE, or stdout with -' },
    to: { type: 'string', valueName: 'kafka', description: 'Produce to RETOUR_TOPIC_ORDERS / RETOUR_TOPIC_RETURNS, key = customerId' },
    truth: { type: 'string', valueName: 'FILE|-', description: 'Write the ground truth (behaviours, rings, episodes, fraud, anomalies) as JSON (- = stdout, with --out FILE or --to kafka)' },
    start: { type: 'string', valueName: 'DATE', description: 'First simulated day, e.g. 2025-01-01 (the default)' },
    'shuffle-window': { type: 'string', valueName: 'SECONDS', description: 'Emit events up to this many seconds out of order (default 0: strict time order)' },
    'duplicate-rate': { type: 'string', valueName: 'RATE', description: 'Re-send this share of events with the same id and content (default 0)' },
    'anomaly-rates': { type: 'string', valueName: 'none|KIND=RATE,…', description: 'Refund anomaly rates per return, e.g. late_refund=0.02 (defaults in docs/simulator.md)' },
  },
  details: [
    'Examples:',
    '  retour simulate --seed 7 --days 365 --customers 100000 --out events.ndjson --truth truth.json',
    '  retour simulate --seed 1 --days 30 --customers 2000 --out - | retour import -',
    '  RETOUR_KAFKA_BROKERS=localhost:9092 retour simulate --seed 1 --days 90 --customers 10000 --to kafka',
    'Return windows and the refund SLA come from RETOUR_RETURN_WINDOW_DAYS, RETOUR_RETURN_WINDOW_BY_CATEGORY and RETOUR_REFUND_SLA_DAYS.',
    'Progress is shown on stderr when it is a terminal. See docs/simulator.md for behaviours, parameters and the truth format.',
  ].join('\n'),
  async run(context) {
    let simulationOptions: SimulateMarketplaceOptions;
    const out = context.options['out'];
    const to = context.options['to'];
    const truthPath = context.options['truth'];
    try {
      if ((out === undefined) === (to === undefined)) throw new UsageError('give exactly one of --out FILE|- and --to kafka');
      if (to !== undefined && to !== 'kafka') throw new UsageError(`--to must be kafka, got ${JSON.stringify(to)}`);
      if (truthPath === '-' && out === '-') throw new UsageError('--truth - and --out - cannot both use stdout');
      const products = integerOption(context, 'products', { required: false, min: 9, max: 1_000_000 });
      const shuffle = numberOption(context, 'shuffle-window', 0, 30 * 86_400);
      const duplicateRate = numberOption(context, 'duplicate-rate', 0, 1);
      const anomalyRates = context.options['anomaly-rates'];
      const start = context.options['start'];
      const days = integerOption(context, 'days', { required: true, min: 1, max: 3650 })!;
      try {
        if (start !== undefined) simulationStartMs(String(start), days);
      } catch {
        throw new UsageError(`--start must be a date such as 2025-01-01, ${SIMULATION_START_RULE(days)}; got ${JSON.stringify(start)}`);
      }
      simulationOptions = {
        seed: integerOption(context, 'seed', { required: true, min: 0, max: 2 ** 32 - 1 })!,
        days,
        customers: integerOption(context, 'customers', { required: true, min: 1, max: 10_000_000 })!,
        returnWindowDays: context.config.returnWindowDays,
        returnWindowByCategory: context.config.returnWindowByCategory,
        refundSlaDays: context.config.refundSlaDays,
        ...(products === undefined ? {} : { products }),
        ...(start === undefined ? {} : { startDate: String(start) }),
        ...(shuffle === undefined ? {} : { shuffleWindowSeconds: shuffle }),
        ...(duplicateRate === undefined ? {} : { duplicateRate }),
        ...(anomalyRates === undefined ? {} : { anomalies: parseAnomalyRates(String(anomalyRates)) }),
      };
    } catch (error: unknown) {
      if (!(error instanceof UsageError)) throw error;
      context.stderr.write(`retour simulate: ${error.message} (RETOUR_USAGE)\nUsage: retour ${simulateCommand.usage}\n`);
      return 2;
    }

    const simulation = simulateMarketplace(simulationOptions);
    const startedAt = performance.now();
    const showProgress = context.stderr.isTTY === true;
    let lastProgressAt = startedAt;
    const progress = (final: boolean): void => {
      const now = performance.now();
      if (!final && now - lastProgressAt < 500) return;
      lastProgressAt = now;
      const { day, days, events } = simulation.progress();
      const seconds = (now - startedAt) / 1000;
      context.stderr.write(`\rsimulate: day ${Math.min(day + (final ? 0 : 1), days)}/${days} · ${formatCount(events)} events · ${formatCount(events / Math.max(seconds, 0.001))} events/s · ${seconds.toFixed(1)} s${final ? '\n' : ''}`);
    };

    let sent = 0;
    let aborted = false;
    // Sends every event to one destination, with progress and a check for Ctrl-C every 4096 events.
    const pump = async (send: (event: RetourEvent) => Promise<void>): Promise<void> => {
      for (const event of simulation.events()) {
        await send(event);
        sent++;
        if ((sent & 4095) === 0) {
          if (showProgress) progress(false);
          if (context.signal.aborted) {
            aborted = true;
            return;
          }
        }
      }
    };
    if (to === 'kafka') {
      const sink = await createKafkaEventSink({
        brokers: context.config.kafkaBrokers,
        kafkaOptions: kafkaJsSecurityOptions(kafkaSecurityFromConfig(context.config)),
        clientId: `${context.config.kafkaClientId}-simulator`,
        topicOrders: context.config.topicOrders,
        topicReturns: context.config.topicReturns,
      });
      try {
        await pump((event) => sink.send(event));
      } finally {
        await sink.close();
      }
    } else {
      const stream = out === '-' ? context.stdout : createWriteStream(String(out), { highWaterMark: 1 << 20 });
      const writer = createNdjsonWriter(stream);
      try {
        await pump((event) => writer.write(event));
        await writer.flush();
      } finally {
        if (stream !== context.stdout) {
          stream.end();
          await once(stream, 'close');
        }
      }
    }
    if (showProgress) progress(true);
    if (aborted) {
      context.stderr.write(`retour simulate: interrupted after ${sent} events; no truth written\n`);
      return 130;
    }
    if (truthPath === '-') context.stdout.write(`${JSON.stringify(simulation.truth())}\n`);
    else if (truthPath !== undefined) await writeFile(String(truthPath), `${JSON.stringify(simulation.truth())}\n`);
    const seconds = (performance.now() - startedAt) / 1000;
    // Nothing else tells a Kafka user what was sent (files can be counted; topics cannot so easily).
    if (to === 'kafka') {
      context.stdout.write(`simulated ${sent} events to Kafka (${context.config.topicOrders}, ${context.config.topicReturns}) in ${seconds.toFixed(1)} s\n`);
    }
    context.logger.debug({ events: sent, seconds: Number(seconds.toFixed(2)), destination: to === 'kafka' ? 'kafka' : out }, 'simulation written');
    return 0;
  },
};
