import { readFileSync } from 'node:fs';
import type { Config } from '../config/load-config.ts';
import { RetourError } from '../domain/errors/retour-error.ts';
import type { KafkaSaslMechanism, KafkaSecurity } from '../messaging/kafka-security.ts';

/** The RETOUR_KAFKA_SECURITY_PROTOCOL … settings; a config without them is plaintext. */
export type KafkaSecurityConfig = Partial<
  Pick<Config, 'kafkaSecurityProtocol' | 'kafkaSaslMechanism' | 'kafkaSaslUsername' | 'kafkaSaslPassword' | 'kafkaSaslPasswordFile' | 'kafkaSslCaFile'>
>;

const SASL_MECHANISM: Record<NonNullable<KafkaSecurityConfig['kafkaSaslMechanism']>, KafkaSaslMechanism> = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
};

/**
 * The security settings of RETOUR_KAFKA_SECURITY_PROTOCOL and friends, with the CA and password
 * files read now: a missing or unreadable file stops start-up with RETOUR_CONFIG_INVALID naming the
 * variable, instead of a TLS or SASL error at the first connection. (loadConfig has already
 * checked that the variables fit together.)
 *
 * @example
 * kafkaSecurityFromConfig(configWith({ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', RETOUR_KAFKA_SASL_USERNAME: 'u', RETOUR_KAFKA_SASL_PASSWORD: 'p' }))
 * // → { tls: {}, sasl: { mechanism: 'plain', username: 'u', password: 'p' } }
 */
export function kafkaSecurityFromConfig(config: KafkaSecurityConfig): KafkaSecurity {
  const protocol = config.kafkaSecurityProtocol ?? 'PLAINTEXT';
  const caFile = config.kafkaSslCaFile ?? '';
  const passwordFile = config.kafkaSaslPasswordFile ?? '';
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  let tls: KafkaSecurity['tls'];
  if (usesTls) {
    if (caFile === '') {
      tls = {};
    } else {
      const ca = readConfiguredFile('RETOUR_KAFKA_SSL_CA_FILE', caFile);
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
        throw invalid('RETOUR_KAFKA_SSL_CA_FILE', caFile, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
      }
      tls = { ca };
    }
  }
  let sasl: KafkaSecurity['sasl'];
  if (usesSasl) {
    const password =
      passwordFile === ''
        ? (config.kafkaSaslPassword ?? '')
        : // One trailing line break is what editors and `echo` add; it is not part of the secret.
          readConfiguredFile('RETOUR_KAFKA_SASL_PASSWORD_FILE', passwordFile).replace(/\r?\n$/, '');
    if (password === '') throw invalid('RETOUR_KAFKA_SASL_PASSWORD_FILE', passwordFile, 'is empty');
    sasl = { mechanism: SASL_MECHANISM[config.kafkaSaslMechanism ?? 'PLAIN'], username: config.kafkaSaslUsername ?? '', password };
  }
  return { ...(tls === undefined ? {} : { tls }), ...(sasl === undefined ? {} : { sasl }) };
}

function readConfiguredFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error: unknown) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw invalid(variable, path, `cannot be read (${reason})`, error);
  }
}

function invalid(variable: string, path: string, problem: string, cause?: unknown): RetourError {
  return new RetourError('RETOUR_CONFIG_INVALID', `invalid configuration: ${variable} ${JSON.stringify(path)} ${problem}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { problems: [`${variable} ${problem}`] },
  });
}
