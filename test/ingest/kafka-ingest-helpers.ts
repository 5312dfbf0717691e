/**
 * Shared by the Kafka ingest integration tests: fast producing, the `retour` CLI as a child
 * process, reading a database and a dead-letter topic.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners, type IHeaders, type Message } from 'kafkajs';
import { generateBenchEvents } from '../../scripts/bench/generate-bench-events.ts';
import { openDatabase } from '../../store/open-database.ts';
import { testKafka } from '../support/kafka.ts';

const RETOUR_BIN = fileURLToPath(new URL('../../bin/retour.mjs', import.meta.url));

/** A temporary folder for a test's database; `remove()` deletes it. */
export function temporaryDatabase(prefix: string): { path: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), `retour-${prefix}-`));
  return { path: join(folder, 'retour.duckdb'), remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** Creates `topic` with `partitions` partitions on `brokers` (a private broker) and waits for its leaders. */
export async function createTopicOn(brokers: readonly string[], topic: string, partitions: number): Promise<void> {
  const admin = new Kafka({ clientId: 'retour-test-admin', brokers: [...brokers], logLevel: logLevel.WARN }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Produces in requests of `chunk` messages (a single request over ~1 MB per partition is refused). */
export async function produceInChunks(topic: string, messages: readonly Message[], chunk = 5000, brokers?: readonly string[]): Promise<void> {
  const kafka = brokers === undefined ? testKafka('retour-test-producer') : new Kafka({ clientId: 'retour-test-producer', brokers: [...brokers], logLevel: logLevel.WARN });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const sends: Promise<unknown>[] = [];
    for (let start = 0; start < messages.length; start += chunk) {
      sends.push(producer.send({ topic, acks: -1, messages: messages.slice(start, start + chunk) }));
      // A few requests in flight keep the broker busy without piling up memory.
      if (sends.length >= 4) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
  } finally {
    await producer.disconnect();
  }
}

/**
 * A private broker's topic with simulated marketplace events on it: `topic` created with
 * `partitions` partitions on `brokers`, then about `events` events (whole orders) produced, keyed by
 * customer. Returns how many were produced.
 */
export async function createTopicWithEvents(brokers: readonly string[], topic: string, options: { partitions: number; events: number; seed: number }): Promise<number> {
  await createTopicOn(brokers, topic, options.partitions);
  const lines = generateBenchEvents({ events: options.events, seed: options.seed });
  await produceInChunks(
    topic,
    lines.map((value) => ({ key: customerKey(value), value })),
    2000,
    brokers,
  );
  return lines.length;
}

/** `customerId` of an event text, as Kafka key (keeps a customer's events on one partition). */
export function customerKey(text: string): string | null {
  return /"customerId":"([^"]+)"/.exec(text)?.[1] ?? null;
}

export interface CliRun {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  readonly exited: Promise<number | string>;
}

/** Starts `node bin/retour.mjs …args` with RETOUR_* settings added to the test's environment. */
export function startRetour(args: readonly string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [RETOUR_BIN, ...args], {
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr += text;
  });
  child.stdout!.resume();
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, stderr: () => stderr, exited };
}

/** Runs a query on a database file (opened for this call only) and returns plain row objects. */
export async function queryDatabase(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const database = await openDatabase({ path });
  try {
    const connection = await database.connect();
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    database.close();
  }
}

export interface ReadBackMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  return result;
}

/** Reads a whole topic from the beginning until `count` messages came or `timeoutMs` passed. */
export async function readTopic(topic: string, count: number, timeoutMs = 30_000): Promise<ReadBackMessage[]> {
  const consumer = testKafka('retour-test-reader').consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 200 });
  const received: ReadBackMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          received.push({
            partition: batch.partition,
            offset: Number(message.offset),
            key: message.key?.toString('utf8') ?? null,
            value: message.value,
            headers: headerText(message.headers),
          });
        }
        if (received.length >= count) done();
      },
    });
    await Promise.race([enough, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    // A moment more, so a test expecting `count` also sees a surplus (at-least-once repeats).
    await new Promise((resolve) => setTimeout(resolve, 500));
    return received;
  } finally {
    await consumer.disconnect();
  }
}
