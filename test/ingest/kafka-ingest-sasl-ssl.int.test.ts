/**
 * Ingest through an authenticated, encrypted listener (the local broker's SASL_SSL listener, see
 * docs/kafka-local.md): each SASL mechanism stores the events and sends the dead letter through the
 * same settings, `retour status` reads the lag through them, and a wrong password, an untrusted
 * certificate or plaintext against the TLS port end `retour ingest` with an error that says what to
 * check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../../config/load-config.ts';
import { runKafkaIngest } from '../../ingest/kafka-ingest.ts';
import { generateBenchEvents } from '../../scripts/bench/generate-bench-events.ts';
import { openDatabase } from '../../store/open-database.ts';
import { createTopic, deleteConsumerGroups, deleteTopics, kafkaSaslSslListener, uniqueTopicName } from '../support/kafka.ts';
import { customerKey, produceInChunks, queryDatabase, readTopic, startRetour, temporaryDatabase } from './kafka-ingest-helpers.ts';

const silent = pino({ level: 'silent' });
const listener = kafkaSaslSslListener();
const topic = uniqueTopicName('sasl-ingest');
const deadLetterTopic = uniqueTopicName('sasl-dlq');
const groups: string[] = [];
const databases: { path: string; remove: () => void }[] = [];
const secrets = mkdtempSync(join(tmpdir(), 'retour-sasl-'));
const passwordFile = join(secrets, 'kafka-password');

const events = generateBenchEvents({ events: 1500, seed: 23 }).map((text): Message => ({ key: customerKey(text), value: text }));
const notJson: Message = { key: 'cus_x', value: '{"specversion": "1.0", "id": ' };

/** RETOUR_* settings of the SASL_SSL listener for one mechanism. */
function saslEnvironment(mechanism: string, groupId: string, password: 'inline' | 'file' = 'inline'): Record<string, string> {
  return {
    RETOUR_KAFKA_BROKERS: listener.brokers,
    RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    RETOUR_KAFKA_SASL_MECHANISM: mechanism,
    RETOUR_KAFKA_SASL_USERNAME: listener.username,
    ...(password === 'inline' ? { RETOUR_KAFKA_SASL_PASSWORD: listener.password } : { RETOUR_KAFKA_SASL_PASSWORD_FILE: passwordFile }),
    RETOUR_KAFKA_SSL_CA_FILE: listener.caFile,
    RETOUR_TOPICS: topic,
    RETOUR_GROUP_ID: groupId,
    RETOUR_TOPIC_DLQ: deadLetterTopic,
    RETOUR_BATCH_MAX_WAIT_MS: '100',
  };
}

beforeAll(async () => {
  // With a line break, as `echo secret > file` writes it: the password must not include it.
  writeFileSync(passwordFile, `${listener.password}\n`, { mode: 0o600 });
  await createTopic(topic, 3);
  await produceInChunks(topic, [...events, notJson]);
}, 60_000);

afterAll(async () => {
  await deleteConsumerGroups(groups);
  await deleteTopics([topic, deadLetterTopic]);
  for (const database of databases) database.remove();
  rmSync(secrets, { recursive: true, force: true });
}, 60_000);

describe.each([
  { mechanism: 'PLAIN', thread: 'worker', password: 'inline' },
  { mechanism: 'SCRAM-SHA-256', thread: 'main', password: 'file' },
  { mechanism: 'SCRAM-SHA-512', thread: 'worker', password: 'file' },
] as const)('ingest over SASL_SSL with $mechanism (consumer on the $thread thread, password $password)', ({ mechanism, thread, password }) => {
  it('stores every event, quarantines the bad one and dead-letters it through the same listener', async () => {
    const groupId = uniqueTopicName(`sasl-${mechanism.toLowerCase()}`);
    groups.push(groupId);
    const database = temporaryDatabase('sasl-ingest');
    databases.push(database);
    const config = configWith({ ...saslEnvironment(mechanism, groupId, password), RETOUR_INGEST_THREAD: thread });
    const opened = await openDatabase({ path: database.path });
    try {
      const summary = await runKafkaIngest({ connection: await opened.connect(), config, logger: silent, signal: new AbortController().signal, exitWhenIdleMs: 1500 });
      expect(summary).toMatchObject({ consumed: events.length + 1, stored: events.length, quarantined: 1, deadLettered: 1, stoppedBy: 'idle' });
    } finally {
      opened.close();
    }
    expect(await queryDatabase(database.path, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: events.length }]);

    // `retour status` asks the same listener for the high watermarks: nothing is left to read.
    const status = startRetour(['status', '--json'], { ...saslEnvironment(mechanism, groupId, password), RETOUR_DATABASE: database.path });
    let stdout = '';
    status.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    expect(await status.exited).toBe(0);
    const report = JSON.parse(stdout) as { lagTotal: number; kafka: { reachable: boolean } };
    expect(report.kafka.reachable).toBe(true);
    expect(report.lagTotal).toBe(0);
  }, 120_000);
});

it('the dead letters of the three runs reached the dead-letter topic, with their error', async () => {
  const deadLetters = await readTopic(deadLetterTopic, 3);
  expect(deadLetters).toHaveLength(3);
  for (const message of deadLetters) expect(message.headers['retour.error.code']).toBe('RETOUR_EVENT_NOT_JSON');
}, 60_000);

describe('a connection that cannot be made says what to check', () => {
  async function ingestFails(environment: Record<string, string>): Promise<string> {
    const database = temporaryDatabase('sasl-refused');
    databases.push(database);
    const run = startRetour(['ingest'], { ...environment, RETOUR_DATABASE: database.path });
    expect(await run.exited).toBe(1);
    return run.stderr();
  }

  it('a wrong password', async () => {
    const stderr = await ingestFails({ ...saslEnvironment('SCRAM-SHA-512', uniqueTopicName('sasl-wrong')), RETOUR_KAFKA_SASL_PASSWORD: 'not-the-password' });
    expect(stderr).toMatch(/authentication failed.*check RETOUR_KAFKA_SASL_MECHANISM, RETOUR_KAFKA_SASL_USERNAME and the password.*\(RETOUR_KAFKA_AUTH_FAILED\)/);
    expect(stderr).not.toContain('not-the-password');
  }, 90_000);

  it('a certificate the system does not trust, without RETOUR_KAFKA_SSL_CA_FILE', async () => {
    const { RETOUR_KAFKA_SSL_CA_FILE: _ca, ...withoutCa } = saslEnvironment('PLAIN', uniqueTopicName('sasl-noca'));
    const stderr = await ingestFails(withoutCa);
    expect(stderr).toMatch(/self-signed certificate.*check RETOUR_KAFKA_SECURITY_PROTOCOL \(does the listener speak TLS\?\) and RETOUR_KAFKA_SSL_CA_FILE/);
  }, 90_000);

  it('plaintext against the TLS listener', async () => {
    const stderr = await ingestFails({ RETOUR_KAFKA_BROKERS: listener.brokers, RETOUR_TOPICS: topic, RETOUR_GROUP_ID: uniqueTopicName('sasl-plain') });
    expect(stderr).toMatch(/Closed connection \(the broker closed the connection: if its listener needs TLS or SASL, set RETOUR_KAFKA_SECURITY_PROTOCOL\)/);
  }, 90_000);

  it('a CA file that does not exist stops before connecting', async () => {
    const stderr = await ingestFails({ ...saslEnvironment('PLAIN', uniqueTopicName('sasl-noca')), RETOUR_KAFKA_SSL_CA_FILE: join(secrets, 'missing.pem') });
    expect(stderr).toMatch(/RETOUR_KAFKA_SSL_CA_FILE ".*missing\.pem" cannot be read \(ENOENT\).*\(RETOUR_CONFIG_INVALID\)/);
  }, 30_000);
});
