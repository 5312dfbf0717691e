/**
 * vitest globalSetup of the `integration` project: makes sure a Kafka broker is there and tells the
 * test files where it is, both as `inject('kafkaBrokers')` and as `process.env.RETOUR_KAFKA_BROKERS`
 * (worker processes inherit it, and so do the `retour` child processes that tests spawn).
 *
 * - `RETOUR_KAFKA_BROKERS` set: that cluster is used as is, after one metadata round trip.
 * - otherwise: `node scripts/kafka-local.mjs start` starts the local broker (a no-op when it already
 *   runs) and teardown stops it again, but only if this run started it and no other test run still
 *   holds a lease on it (engineers share the machine and the broker).
 *
 * A broker that cannot be reached fails the run, locally and in CI alike: integration tests never
 * skip silently.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated `host:port` list of the Kafka cluster the integration tests use. */
    kafkaBrokers: string;
    /**
     * JSON of the cluster's SASL_SSL listener ({ brokers, caFile, username, password, mechanisms }),
     * or '' when it is not known (a cluster of one's own without RETOUR_TEST_KAFKA_SASL_SSL).
     */
    kafkaSaslSsl: string;
  }
}

const script = fileURLToPath(new URL('../../scripts/kafka-local.mjs', import.meta.url));
const hint =
  'Set RETOUR_KAFKA_BROKERS=host:port to use a running cluster instead; see docs/kafka-local.md.';

interface LocalBrokerStatus {
  readonly running: boolean;
  readonly ready: boolean;
  readonly brokers: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly saslSsl?: unknown;
}

/**
 * The SASL_SSL listener to test against: RETOUR_TEST_KAFKA_SASL_SSL (JSON, for a cluster of one's
 * own), else the local broker's when the tests use it.
 */
async function saslSslListener(brokers: string): Promise<string> {
  const given = process.env['RETOUR_TEST_KAFKA_SASL_SSL'];
  if (given !== undefined && given !== '') return given;
  const local = await localBrokerStatus();
  return local.running && local.brokers === brokers && local.saslSsl !== undefined ? JSON.stringify(local.saslSsl) : '';
}

interface ScriptResult {
  readonly code: number | null;
  readonly stdout: string;
}

/** Runs the kafka-local script; its progress (stderr) goes straight to the terminal. */
function runScript(args: readonly string[]): Promise<ScriptResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout }));
  });
}

async function localBrokerStatus(): Promise<LocalBrokerStatus> {
  // `status` exits non-zero when nothing runs; the JSON line is printed either way.
  const { code, stdout } = await runScript(['status', '--json']);
  try {
    return JSON.parse(stdout) as LocalBrokerStatus;
  } catch (error: unknown) {
    throw new Error(
      `"node scripts/kafka-local.mjs status --json" exited with ${String(code)} without a status ` +
        `(its messages are above). ${hint}`,
      { cause: error },
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Leases are files named after the pid of each vitest process using the local broker. */
function otherLiveLeases(leaseDir: string): number[] {
  return readdirSync(leaseDir)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid && isAlive(pid));
}

async function assertReachable(brokers: string): Promise<void> {
  const kafka = new Kafka({
    clientId: 'retour-test-setup',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error: unknown) {
    throw new Error(
      `RETOUR_KAFKA_BROKERS=${brokers} does not answer a metadata request ` +
        `(${error instanceof Error ? error.message : String(error)}). Start that cluster, or unset ` +
        'RETOUR_KAFKA_BROKERS to let the tests start the local broker (docs/kafka-local.md).',
      { cause: error },
    );
  } finally {
    await admin.disconnect();
  }
}

async function startLocalBroker(): Promise<string> {
  const result = await runScript(['start']);
  const lastLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  const match = /^RETOUR_KAFKA_BROKERS=(.+)$/.exec(lastLine);
  if (result.code !== 0 || match?.[1] === undefined) {
    const where = process.env['CI'] === 'true' ? 'CI requires a Kafka broker' : 'no Kafka broker';
    throw new Error(
      `${where}: "node scripts/kafka-local.mjs start" exited with ${String(result.code)} ` +
        `(its messages are above). ${hint}`,
    );
  }
  return match[1];
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // kafkajs logs a partitioner notice for every producer created without an explicit one.
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  const given = process.env['RETOUR_KAFKA_BROKERS'];
  if (given !== undefined && given !== '') {
    await assertReachable(given);
    project.provide('kafkaBrokers', given);
    project.provide('kafkaSaslSsl', await saslSslListener(given));
    return async () => {};
  }

  const before = await localBrokerStatus();
  const leaseDir = join(before.dataDir, 'leases');
  const lease = join(leaseDir, String(process.pid));
  // The lease comes before `start`, so a run finishing meanwhile does not stop the broker under us.
  mkdirSync(leaseDir, { recursive: true });
  writeFileSync(lease, `${new Date().toISOString()}\n`);
  let brokers: string;
  try {
    brokers = await startLocalBroker();
  } catch (error: unknown) {
    rmSync(lease, { force: true });
    throw error;
  }
  process.env['RETOUR_KAFKA_BROKERS'] = brokers;
  project.provide('kafkaBrokers', brokers);
  project.provide('kafkaSaslSsl', await saslSslListener(brokers));

  return async () => {
    rmSync(lease, { force: true });
    delete process.env['RETOUR_KAFKA_BROKERS'];
    // A run that started the broker but left it to runs still using it hands its duty over
    // through this flag, so the last of them stops it (kafka-local.mjs clears it on each launch).
    const handedOver = join(leaseDir, 'stop-when-unused');
    if (before.running && !existsSync(handedOver)) return;
    const others = otherLiveLeases(leaseDir);
    if (others.length > 0) {
      writeFileSync(handedOver, `${process.pid}\n`);
      process.stderr.write(
        `[kafka-global-setup] leaving the broker running: test runs ${others.join(', ')} use it\n`,
      );
      return;
    }
    rmSync(handedOver, { force: true });
    const result = await runScript(['stop']);
    if (result.code !== 0) {
      throw new Error(`"node scripts/kafka-local.mjs stop" exited with ${String(result.code)}`);
    }
  };
}
