import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../messaging/create-kafka-client.ts';

/** A pino logger at debug whose lines the test reads back as objects. */
function capturingLogger() {
  const lines: { level: number; namespace?: string; msg: string }[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as (typeof lines)[number]);
        done();
      },
    }),
  );
  return { logger, lines };
}

const REFUSED = 'Connection error: connect ECONNREFUSED 127.0.0.1:9092';

describe('createKafkaClient', () => {
  it("tells the owner of every failed connection kafkajs logs, and not of a broker's error answers", () => {
    const { logger } = capturingLogger();
    const heard: string[] = [];
    const kafka = createKafkaClient({ brokers: ['127.0.0.1:9092'], clientId: 'test', logger, onConnectionError: (message) => heard.push(message) });
    kafka.logger().namespace('Connection').error(REFUSED, { broker: '127.0.0.1:9092' });
    kafka.logger().namespace('Connection').error('Response Fetch(key: 1, version: 11)', { error: 'The group is rebalancing' });
    kafka.logger().namespace('BrokerPool').error(`Failed to connect to seed broker, trying another broker from the list: ${REFUSED}`);
    expect(heard).toEqual([REFUSED]);
  });

  it('logs failed connections at debug while the owner says it knows, the first one still a warning', () => {
    const { logger, lines } = capturingLogger();
    let troubled = false;
    const kafka = createKafkaClient({
      brokers: ['127.0.0.1:9092'],
      clientId: 'test',
      logger,
      onConnectionError: () => (troubled = true),
      quietConnectionErrors: () => troubled,
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      kafka.logger().namespace('Connection').error(REFUSED);
      kafka.logger().namespace('BrokerPool').error(`Failed to connect to seed broker, trying another broker from the list: ${REFUSED}`);
    }
    kafka.logger().namespace('Consumer').error('Crash: KafkaJSNumberOfRetriesExceeded');
    expect(lines.map((line) => [line.level, line.namespace])).toEqual([
      [40, 'Connection'],
      ...Array.from({ length: 5 }, () => [20, expect.stringMatching(/^(Connection|BrokerPool)$/)]),
      [40, 'Consumer'],
    ]);
  });
});
