import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configWith } from '../../config/load-config.ts';
import { kafkaSecurityFromConfig } from '../../ingest/kafka-security-from-config.ts';
import { kafkaJsSecurityOptions, kafkaSecurityHint } from '../../messaging/kafka-security.ts';

const folder = mkdtempSync(join(tmpdir(), 'retour-kafka-security-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const sasl = { RETOUR_KAFKA_SASL_USERNAME: 'svc-retour', RETOUR_KAFKA_SASL_PASSWORD: 's3cret' };

describe('kafkaSecurityFromConfig', () => {
  it('is empty for plaintext, the default', () => {
    expect(kafkaSecurityFromConfig(configWith({}))).toEqual({});
    expect(kafkaJsSecurityOptions(kafkaSecurityFromConfig(configWith({})))).toEqual({});
  });

  it('SSL without a CA file trusts the system certificates; with one, only its PEM', () => {
    expect(kafkaSecurityFromConfig(configWith({ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SSL' }))).toEqual({ tls: {} });
    const ca = file('ca.pem', PEM);
    const security = kafkaSecurityFromConfig(configWith({ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SSL', RETOUR_KAFKA_SSL_CA_FILE: ca }));
    expect(security).toEqual({ tls: { ca: PEM } });
    expect(kafkaJsSecurityOptions(security)).toEqual({ ssl: { ca: [PEM] } });
    expect(kafkaJsSecurityOptions({ tls: {} })).toEqual({ ssl: true });
  });

  it.each([
    ['PLAIN', 'plain'],
    ['SCRAM-SHA-256', 'scram-sha-256'],
    ['SCRAM-SHA-512', 'scram-sha-512'],
  ])('SASL_SSL with %s maps to the kafkajs mechanism %s', (mechanism, kafkajs) => {
    const security = kafkaSecurityFromConfig(configWith({ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', RETOUR_KAFKA_SASL_MECHANISM: mechanism, ...sasl }));
    expect(kafkaJsSecurityOptions(security)).toEqual({ ssl: true, sasl: { mechanism: kafkajs, username: 'svc-retour', password: 's3cret' } });
  });

  it('SASL_PLAINTEXT authenticates without TLS', () => {
    expect(kafkaJsSecurityOptions(kafkaSecurityFromConfig(configWith({ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', ...sasl })))).toEqual({
      sasl: { mechanism: 'plain', username: 'svc-retour', password: 's3cret' },
    });
  });

  it('reads the password file without its trailing line break, and nothing else of it', () => {
    const passwordFile = file('password', ' pass word \r\n');
    const security = kafkaSecurityFromConfig(
      configWith({ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', RETOUR_KAFKA_SASL_USERNAME: 'u', RETOUR_KAFKA_SASL_PASSWORD_FILE: passwordFile }),
    );
    expect(security.sasl?.password).toBe(' pass word ');
  });

  it.each([
    ['a CA file that does not exist', { RETOUR_KAFKA_SECURITY_PROTOCOL: 'SSL', RETOUR_KAFKA_SSL_CA_FILE: join(folder, 'missing.pem') }, /RETOUR_KAFKA_SSL_CA_FILE ".*missing\.pem" cannot be read \(ENOENT\)/],
    ['a CA file without a certificate', { RETOUR_KAFKA_SECURITY_PROTOCOL: 'SSL', RETOUR_KAFKA_SSL_CA_FILE: file('key.pem', '-----BEGIN PRIVATE KEY-----\n') }, /RETOUR_KAFKA_SSL_CA_FILE ".*key\.pem" holds no PEM certificate/],
    ['an empty password file', { RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', RETOUR_KAFKA_SASL_USERNAME: 'u', RETOUR_KAFKA_SASL_PASSWORD_FILE: file('empty', '\n') }, /RETOUR_KAFKA_SASL_PASSWORD_FILE ".*empty" is empty/],
  ])('stops with RETOUR_CONFIG_INVALID on %s', (_case, environment, message) => {
    let caught: unknown;
    try {
      kafkaSecurityFromConfig(configWith(environment));
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'RETOUR_CONFIG_INVALID', message: expect.stringMatching(message) });
  });
});

describe('kafkaSecurityHint', () => {
  it('points at the SASL settings on an authentication failure, at TLS on a certificate error, nowhere otherwise', () => {
    const authentication = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: invalid credentials'), { name: 'KafkaJSSASLAuthenticationError' });
    expect(kafkaSecurityHint(authentication)).toMatch(/RETOUR_KAFKA_SASL_MECHANISM/);
    expect(kafkaSecurityHint(new Error('Connection error: self-signed certificate'))).toMatch(/RETOUR_KAFKA_SSL_CA_FILE/);
    expect(kafkaSecurityHint(new Error('Closed connection'))).toMatch(/set RETOUR_KAFKA_SECURITY_PROTOCOL/);
    expect(kafkaSecurityHint(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9'))).toBeUndefined();
  });
});
