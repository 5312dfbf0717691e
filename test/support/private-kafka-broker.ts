/**
 * A broker of its own for tests that stop and start Kafka mid-test: scripts/kafka-local.mjs on
 * other ports, so the shared test broker (and the files using it) are never disturbed. The data
 * folder is per port; the downloaded broker (RETOUR_KAFKA_HOME) is shared.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const KAFKA_LOCAL = fileURLToPath(new URL('../../scripts/kafka-local.mjs', import.meta.url));

export interface PrivateKafkaBroker {
  /** Starts the broker (a no-op when it runs) and resolves with its `host:port` list. */
  start(): Promise<string[]>;
  /** Stops it; harmless when it does not run. */
  stop(): Promise<void>;
}

/**
 * @example
 * const broker = privateKafkaBroker({ port: 29192, controllerPort: 29193 });
 * const brokers = await broker.start();
 */
export function privateKafkaBroker(ports: { readonly port: number; readonly controllerPort: number }): PrivateKafkaBroker {
  const env = {
    ...process.env,
    RETOUR_KAFKA_PORT: String(ports.port),
    RETOUR_KAFKA_CONTROLLER_PORT: String(ports.controllerPort),
    // Set, not inherited: an exported RETOUR_KAFKA_SASL_SSL_PORT belongs to the shared broker.
    RETOUR_KAFKA_SASL_SSL_PORT: String(ports.port + 2),
  };
  const run = (command: 'start' | 'stop'): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [KAFKA_LOCAL, command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`kafka-local ${command} exited with ${code}:\n${output}`))));
    });
  return {
    async start() {
      const output = await run('start');
      const brokers = /RETOUR_KAFKA_BROKERS=(\S+)\s*$/.exec(output)?.[1];
      if (brokers === undefined) throw new Error(`kafka-local start printed no RETOUR_KAFKA_BROKERS line:\n${output}`);
      return brokers.split(',');
    },
    async stop() {
      await run('stop');
    },
  };
}
